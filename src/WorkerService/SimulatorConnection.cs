using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.ServiceDefaults.Launching;
using A3cGrpc.ServiceDefaults.Telemetry;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace A3cGrpc.WorkerService;

/// <summary>
/// The worker's simulator: either its own EnvSim process on a Unix socket (started here, replaced when it dies) or an
/// EnvSim at a configured address (a sidecar). Hands out sessions of K lock-step environments.
/// </summary>
internal sealed partial class SimulatorConnection : ISimulatorConnection, IAsyncDisposable
{
    /// <summary>How long the worker waits for an EnvSim at <see cref="WorkerOptions.EnvSimAddress"/> to serve before it gives up (and exits).</summary>
    internal static readonly TimeSpan SidecarStartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long an own simulator that broke a session may take to answer its health check before it is replaced.</summary>
    internal static readonly TimeSpan UnresponsiveAfter = TimeSpan.FromSeconds(5);

    private readonly WorkerOptions _options;
    private readonly ILogger<SimulatorConnection> _logger;
    private readonly string _socketPath;
    private SimulatorProcess? _process;
    private GrpcChannel? _channel;
    private int _sessions;

    /// <summary>The process id of the simulator this connection started, while it has one.</summary>
    internal int? SimulatorProcessId => _process?.ProcessId;

    public SimulatorConnection(IOptions<WorkerOptions> options, ILogger<SimulatorConnection> logger)
    {
        _options = options.Value;
        _logger = logger;
        _socketPath = Path.Combine(Path.GetTempPath(), $"a3c-envsim-{Environment.ProcessId}.sock");
    }

    /// <summary>
    /// Opens a session of <paramref name="environments"/> environments (their first episodes staggered when
    /// <paramref name="staggerEpisodes"/>), starting (or, if it died, replacing) the worker's own simulator process
    /// first. Each session gets new environment seeds.
    /// </summary>
    public async Task<IEnvironmentSession> OpenSessionAsync(int environments, bool staggerEpisodes, CancellationToken cancellationToken)
    {
        var channel = await EnsureChannelAsync(cancellationToken);
        var seed = unchecked((_options.EffectiveSeed * 7919) + _sessions++);
        return await SimulatorSession.OpenAsync(
            new Simulator.SimulatorClient(channel),
            environments,
            seed,
            staggerEpisodes,
            TimeSpan.FromSeconds(_options.SimulatorTimeoutSeconds),
            cancellationToken);
    }

    /// <summary>
    /// Forgets the current connection after a failure; the next session starts a new process if ours died, or if it
    /// no longer answers its health check (a killed process can break the stream before its exit is seen).
    /// </summary>
    public async Task ResetAfterFailureAsync()
    {
        _channel?.Dispose();
        _channel = null;
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited && await AnswersAsync(_process))
        {
            return;
        }

        LogSimulatorDied(_process.ProcessId);
        await _process.DisposeAsync();
        _process = null;
    }

    private static async Task<bool> AnswersAsync(SimulatorProcess process)
    {
        try
        {
            await process.WaitUntilServingAsync(UnresponsiveAfter, CancellationToken.None);
            return true;
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidOperationException or RpcException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private async Task<GrpcChannel> EnsureChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is not null)
        {
            return _channel;
        }

        var address = _options.EnvSimAddress;
        if (string.IsNullOrWhiteSpace(address))
        {
            if (_process is null)
            {
                _process = await SimulatorProcess.StartAsync(
                    _options.EnvSimPath!, _socketPath, SimulatorArguments(), _logger, TimeSpan.FromSeconds(60), cancellationToken);
                LogSimulatorStarted(_process.ProcessId, _process.Address);
            }

            address = _process.Address;
        }

        var channel = GrpcAddress.CreateChannel(address);
        if (_process is null)
        {
            // A sidecar starts beside the worker (a pod's containers start together) and may restart on its own:
            // wait for it rather than fail the worker.
            try
            {
                await ServiceHealth.WaitUntilServingAsync(channel, SidecarStartTimeout, process: null, $"EnvSim at {address}", cancellationToken);
            }
            catch
            {
                channel.Dispose();
                throw;
            }
        }

        _channel = channel;
        return _channel;
    }

    /// <summary>Telemetry settings the child inherits (OTLP variables pass through the environment).</summary>
    private IEnumerable<string> SimulatorArguments()
    {
        var spanFile = _options.SimulatorSpanFile;
        if (!string.IsNullOrWhiteSpace(spanFile))
        {
            yield return ConfigurationArgument.Of(TelemetryOptions.SectionName, nameof(TelemetryOptions.SpanFile), spanFile);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started simulator process {ProcessId} at {Address}")]
    private partial void LogSimulatorStarted(int processId, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator process {ProcessId} died or stopped answering; a new one will be started")]
    private partial void LogSimulatorDied(int processId);
}

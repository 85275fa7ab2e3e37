using A3cGrpc.ServiceDefaults.Launching;
using Microsoft.Extensions.Logging;

namespace A3cGrpc.Distributed.SimulatorClient;

/// <summary>
/// An EnvSim process owned by this process (a <see cref="ServiceProcess"/>), serving on a Unix socket, its output
/// forwarded to this process's log. It watches this process (<c>--ParentProcessId</c>), so it stops by itself if its
/// owner dies without disposing it.
/// </summary>
public sealed partial class SimulatorProcess : IAsyncDisposable
{
    private static readonly TimeSpan _gracefulStopTimeout = TimeSpan.FromSeconds(5);

    private readonly ServiceProcess _process;
    private readonly string _socketPath;
    private readonly ILogger _logger;
    private bool _disposed;

    private SimulatorProcess(ServiceProcess process, string socketPath, ILogger logger)
    {
        _process = process;
        _socketPath = socketPath;
        _logger = logger;
    }

    /// <summary>Where the simulator serves: <c>unix:</c> + the socket path, for <see cref="GrpcAddress.CreateChannel"/>.</summary>
    public string Address => GrpcAddress.UnixPrefix + _socketPath;

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>Whether the child has exited (or this object was disposed).</summary>
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>
    /// Starts <paramref name="envSimPath"/> (an <c>A3cGrpc.EnvSim.dll</c>, run with this process's <c>dotnet</c>, or
    /// an executable) in its own folder, listening on <paramref name="socketPath"/> (a stale socket file there is
    /// deleted first), with <paramref name="extraArguments"/>, watching <paramref name="parentProcessId"/> (default:
    /// this process). Its output goes to <paramref name="logger"/>. Returns once its gRPC health check says SERVING.
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="envSimPath"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">The simulator exited before serving (the message has its last output).</exception>
    /// <exception cref="TimeoutException">It did not serve within <paramref name="startTimeout"/> (the message has its last output); it was killed.</exception>
    public static async Task<SimulatorProcess> StartAsync(
        string envSimPath,
        string socketPath,
        IEnumerable<string> extraArguments,
        ILogger logger,
        TimeSpan startTimeout,
        CancellationToken cancellationToken,
        int? parentProcessId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(envSimPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        ArgumentNullException.ThrowIfNull(extraArguments);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(startTimeout, TimeSpan.Zero);

        var program = Path.GetFullPath(envSimPath);
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"The EnvSim program '{program}' does not exist.", program);
        }

        var socket = Path.GetFullPath(socketPath);
        DeleteSocketFile(socket);
        var arguments = new ServiceArguments().Urls(GrpcAddress.ToListenUrl(GrpcAddress.UnixPrefix + socket));
        var process = ServiceProcess.Start(new ServiceStart("envsim", program)
        {
            Arguments = [.. arguments, .. extraArguments],
            Logger = logger,
            WorkingDirectory = Path.GetDirectoryName(program),
            ParentProcessId = parentProcessId ?? Environment.ProcessId,
        });
        var simulator = new SimulatorProcess(process, socket, logger);
        LogStarted(logger, simulator.ProcessId, simulator.Address);
        try
        {
            await simulator.WaitUntilServingAsync(startTimeout, cancellationToken);
            LogServing(logger, simulator.ProcessId, simulator.Address);
            return simulator;
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the simulator answers SERVING (<see cref="ServiceProcess.WaitUntilServingAsync"/>).</summary>
    /// <exception cref="InvalidOperationException">It exited first (the message has its last output).</exception>
    /// <exception cref="TimeoutException">Not serving within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcAddress.CreateChannel(Address);
        await _process.WaitUntilServingAsync(channel, timeout, cancellationToken);
    }

    /// <summary>
    /// Stops the simulator: SIGTERM (a graceful host stop), then, if it is still running after a few seconds, kills its
    /// process tree. Removes the socket file.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!await _process.StopAsync(_gracefulStopTimeout))
        {
            LogKilled(_logger, ProcessId, _gracefulStopTimeout.TotalSeconds);
        }

        LogExited(_logger, ProcessId, _process.ExitCode);
        await _process.DisposeAsync();
        DeleteSocketFile(_socketPath);
    }

    private static void DeleteSocketFile(string socketPath)
    {
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started EnvSim process {ProcessId} for {Address}.")]
    private static partial void LogStarted(ILogger logger, int processId, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "EnvSim process {ProcessId} serves on {Address}.")]
    private static partial void LogServing(ILogger logger, int processId, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "EnvSim process {ProcessId} did not stop within {Seconds} s of SIGTERM: killed it.")]
    private static partial void LogKilled(ILogger logger, int processId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "EnvSim process {ProcessId} exited with code {ExitCode}.")]
    private static partial void LogExited(ILogger logger, int processId, int exitCode);
}

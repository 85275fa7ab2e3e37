using System.Diagnostics;
using A3cGrpc.Distributed.Hosting;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging;

namespace A3cGrpc.Distributed.SimulatorClient;

/// <summary>
/// An EnvSim process owned by this process, serving on a Unix socket. It watches this process
/// (<c>--{ParentProcessWatcher.ConfigurationKey}</c>), so it stops by itself if its owner dies without disposing it.
/// </summary>
public sealed partial class SimulatorProcess : IAsyncDisposable
{
    private static readonly TimeSpan _gracefulStopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan _healthPollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan _healthCallTimeout = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly ChildProcessOutput _output;
    private readonly string _socketPath;
    private readonly ILogger _logger;
    private bool _disposed;

    private SimulatorProcess(Process process, string socketPath, ILogger logger)
    {
        _process = process;
        _socketPath = socketPath;
        _logger = logger;
        ProcessId = process.Id;
        _output = new ChildProcessOutput(process, $"envsim[{ProcessId}]", logger);
    }

    /// <summary>Where the simulator serves: <c>unix:</c> + the socket path, for <see cref="GrpcAddress.CreateChannel"/>.</summary>
    public string Address => GrpcAddress.UnixPrefix + _socketPath;

    /// <summary>The child's process id.</summary>
    public int ProcessId { get; }

    /// <summary>Whether the child has exited (or this object was disposed).</summary>
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>
    /// Starts <paramref name="envSimPath"/> (an <c>A3cGrpc.EnvSim.dll</c>, run with this process's <c>dotnet</c>, or
    /// an executable) listening on <paramref name="socketPath"/> (a stale socket file there is deleted first), with
    /// <c>--{ParentProcessWatcher.ConfigurationKey}</c> set to this process and then <paramref name="extraArguments"/> (which may
    /// override anything before them). Its output goes to <paramref name="logger"/>. Returns once its gRPC health
    /// check says SERVING.
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
        CancellationToken cancellationToken)
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
        var process = new Process { StartInfo = CreateStartInfo(program, socket, extraArguments) };
        process.Start();
        var simulator = new SimulatorProcess(process, socket, logger);
        LogStarted(logger, simulator.ProcessId, simulator.Address);
        try
        {
            await simulator.WaitUntilServingAsync(startTimeout, cancellationToken);
            return simulator;
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
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
        if (!_process.HasExited)
        {
            PosixSignals.TryTerminate(ProcessId);
            using var graceful = new CancellationTokenSource(_gracefulStopTimeout);
            try
            {
                await _process.WaitForExitAsync(graceful.Token);
            }
            catch (OperationCanceledException)
            {
                LogKilling(_logger, ProcessId, _gracefulStopTimeout.TotalSeconds);
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        LogExited(_logger, ProcessId, _process.ExitCode);
        _process.Dispose();
        DeleteSocketFile(_socketPath);
    }

    private static ProcessStartInfo CreateStartInfo(string program, string socketPath, IEnumerable<string> extraArguments)
    {
        var isAssembly = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var startInfo = new ProcessStartInfo(isAssembly ? PosixSignals.DotnetHost() : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(program)!,
        };
        if (isAssembly)
        {
            startInfo.ArgumentList.Add(program);
        }

        startInfo.ArgumentList.Add("--urls");
        startInfo.ArgumentList.Add(GrpcAddress.ToListenUrl(GrpcAddress.UnixPrefix + socketPath));
        startInfo.ArgumentList.Add($"--{ParentProcessWatcher.ConfigurationKey}={Environment.ProcessId}");
        foreach (var argument in extraArguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static void DeleteSocketFile(string socketPath)
    {
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }
    }

    /// <summary>Polls the gRPC health service until it says SERVING, the child exits, or the start timeout passes.</summary>
    private async Task WaitUntilServingAsync(TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcAddress.CreateChannel(Address);
        var health = new Health.HealthClient(channel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(startTimeout);
        try
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    await _process.WaitForExitAsync(CancellationToken.None); // drains the output
                    throw new InvalidOperationException(
                        $"EnvSim ({ProcessId}) exited with code {_process.ExitCode} before serving on {Address}. Its last output:{Environment.NewLine}{_output.Tail()}");
                }

                if (await IsServingAsync(health, timeout.Token))
                {
                    LogServing(_logger, ProcessId, Address);
                    return;
                }

                await Task.Delay(_healthPollInterval, timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException
            && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"EnvSim ({ProcessId}) did not serve on {Address} within {startTimeout.TotalSeconds:0.###} s. Its last output:{Environment.NewLine}{_output.Tail()}", e);
        }
    }

    private static async Task<bool> IsServingAsync(Health.HealthClient health, CancellationToken cancellationToken)
    {
        try
        {
            var response = await health.CheckAsync(
                new HealthCheckRequest(), deadline: DateTime.UtcNow + _healthCallTimeout, cancellationToken: cancellationToken);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return false; // not listening yet
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started EnvSim process {ProcessId} for {Address}.")]
    private static partial void LogStarted(ILogger logger, int processId, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "EnvSim process {ProcessId} serves on {Address}.")]
    private static partial void LogServing(ILogger logger, int processId, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "EnvSim process {ProcessId} did not stop within {Seconds} s of SIGTERM: killing it.")]
    private static partial void LogKilling(ILogger logger, int processId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "EnvSim process {ProcessId} exited with code {ExitCode}.")]
    private static partial void LogExited(ILogger logger, int processId, int exitCode);
}

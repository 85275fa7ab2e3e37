using System.Diagnostics;
using A3cGrpc.Distributed.Options;
using Microsoft.Extensions.Options;

namespace A3cGrpc.EnvSim.Hosting;

/// <summary>
/// Stops the host (gracefully) once the process <see cref="SimulatorOptions.ParentProcessId"/> has exited, so a
/// simulator never outlives the worker that started it, even one killed with SIGKILL. Does nothing when it is 0.
/// </summary>
public sealed partial class ParentProcessWatcher(
    IOptions<SimulatorOptions> options, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatcher> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parentId = options.Value.ParentProcessId;
        if (parentId == 0)
        {
            return;
        }

        using (var parent = TryGetProcess(parentId))
        {
            if (parent is not null)
            {
                LogWatching(parentId);
                try
                {
                    await parent.WaitForExitAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        LogParentExited(parentId);
        lifetime.StopApplication();
    }

    private static Process? TryGetProcess(int processId)
    {
        try
        {
            return Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            return null; // not running (any more)
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching parent process {ParentProcessId}: this simulator stops when it exits.")]
    private partial void LogWatching(int parentProcessId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parent process {ParentProcessId} has exited: stopping the simulator.")]
    private partial void LogParentExited(int parentProcessId);
}

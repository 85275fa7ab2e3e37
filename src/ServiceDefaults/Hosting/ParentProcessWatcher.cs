using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace A3cGrpc.ServiceDefaults.Hosting;

/// <summary>
/// Stops the host when the process that started it has exited, so a launcher or worker that is killed outright
/// (SIGKILL) leaves no orphaned services behind. Configured by the top-level key <see cref="ConfigurationKey"/>.
/// </summary>
public sealed partial class ParentProcessWatcher(int parentProcessId, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatcher> logger)
    : BackgroundService
{
    /// <summary>The configuration key holding the parent's process id (absent or 0: no watching).</summary>
    public const string ConfigurationKey = "ParentProcessId";

    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(500);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Process parent;
        try
        {
            parent = Process.GetProcessById(parentProcessId);
        }
        catch (ArgumentException)
        {
            LogParentGone(parentProcessId);
            lifetime.StopApplication();
            return;
        }

        using (parent)
        {
            using var timer = new PeriodicTimer(_pollInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                parent.Refresh();
                if (parent.HasExited)
                {
                    LogParentGone(parentProcessId);
                    lifetime.StopApplication();
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parent process {ProcessId} has exited; stopping")]
    private partial void LogParentGone(int processId);
}

/// <summary>Registers <see cref="ParentProcessWatcher"/> when <see cref="ParentProcessWatcher.ConfigurationKey"/> is set.</summary>
public static class ParentProcessWatcherExtensions
{
    /// <summary>Watches the configured parent process, if any.</summary>
    public static IHostApplicationBuilder AddParentProcessWatcher(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var parent = builder.Configuration.GetValue<int?>(ParentProcessWatcher.ConfigurationKey);
        if (parent is > 0)
        {
            builder.Services.AddHostedService(sp => new ParentProcessWatcher(
                parent.Value, sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<ParentProcessWatcher>>()));
        }

        return builder;
    }
}

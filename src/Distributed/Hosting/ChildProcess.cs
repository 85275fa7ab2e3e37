using System.Diagnostics;

namespace A3cGrpc.Distributed.Hosting;

/// <summary>
/// A service process started by another (a launcher starting the parameter server and workers): runs a .NET
/// assembly with the same <c>dotnet</c> host (or an executable) whose output is appended to a log file (by the child
/// itself, so a killed launcher loses none of it), tells it its parent's id (<see cref="ParentProcessWatcher"/>), and
/// stops it with SIGTERM, then SIGKILL after a grace period.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>Runs the command given after the log file with stdout and stderr appended to the log file (stdin: nothing).</summary>
    private const string RedirectScript = "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null";

    private const string Shell = "/bin/sh";

    private readonly Process _process;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>A short name for messages ("parameter-server", "worker-1").</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <paramref name="program"/> (a <c>.dll</c> runs under the current <c>dotnet</c> host) with
    /// <paramref name="arguments"/> and extra environment variables. When <paramref name="logFile"/> is given, the
    /// child's stdout and stderr are that file itself, opened for appending by the child (through <c>/bin/sh</c>,
    /// which then <c>exec</c>s the program, so the process id and signals are the program's): nothing passes through
    /// this process, so the child's last lines reach the file even when this process is killed. Without a log file
    /// the output is discarded.
    /// </summary>
    public static ChildProcess Start(
        string name,
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? logFile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"Cannot start {name}: {program} does not exist (build the solution first).", program);
        }

        List<string> command = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [PosixSignals.DotnetHost(), program] : [program];
        command.AddRange(arguments);
        command.Add($"--{ParentProcessWatcher.ConfigurationKey}={Environment.ProcessId}");

        var log = logFile is null ? null : Path.GetFullPath(logFile);
        if (log is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        }

        // sh -c SCRIPT NAME LOG PROGRAM ARGS...: the script sees the log as $1 and the command as the rest, so nothing
        // is parsed by the shell (paths with spaces or quotes are safe). The services run on Linux only (PosixSignals).
        var info = new ProcessStartInfo { FileName = Shell, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(RedirectScript);
        info.ArgumentList.Add(name);
        info.ArgumentList.Add(log ?? "/dev/null");
        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Start();
        return new ChildProcess(name, process);
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits up to <paramref name="grace"/>, then kills it.</summary>
    /// <returns>True when it stopped by itself within the grace period.</returns>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return true;
        }

        PosixSignals.TryTerminate(_process.Id);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            return false;
        }
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void KillNow()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}

using System.Diagnostics;
using A3cGrpc.ServiceDefaults.Hosting;
using Grpc.Net.Client;

namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>
/// A service process started by another one (the launcher starting the parameter server and workers, a worker
/// starting its EnvSim, a benchmark or a test): runs a .NET assembly with the same <c>dotnet</c> host (or an
/// executable), tells it its parent's id (<see cref="ParentProcessWatcher"/>), sends its output where
/// <see cref="ServiceStart"/> says (a log file the child appends to itself, a logger, or nowhere), waits for its gRPC
/// health (<see cref="WaitUntilServingAsync"/>), and stops it with SIGTERM, then SIGKILL after a grace period.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Runs the command given after the log file with stdout and stderr appended to the log file (stdin: nothing).</summary>
    private const string RedirectScript = "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null";

    private const string Shell = "/bin/sh";

    private static readonly TimeSpan _disposeGrace = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ServiceOutput _output;

    private ServiceProcess(string name, Process process, ServiceOutput output)
    {
        Name = name;
        _process = process;
        _output = output;
        ProcessId = process.Id;
    }

    /// <summary>A short name for messages ("parameter-server", "worker-1", "envsim").</summary>
    public string Name { get; }

    /// <summary>The process id (still known after disposal).</summary>
    public int ProcessId { get; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code (after exit).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <see cref="ServiceStart.Program"/> (a <c>.dll</c> runs under the current <c>dotnet</c> host) with its
    /// arguments, then <c>--ParentProcessId=</c><see cref="ServiceStart.ParentProcessId"/>. With a
    /// <see cref="ServiceStart.LogFile"/>, the child's stdout and stderr are that file itself, opened for appending by
    /// the child (through <c>/bin/sh</c>, which then <c>exec</c>s the program, so the process id and signals are the
    /// program's): nothing passes through this process, so the child's last lines reach the file even when this
    /// process is killed. With a <see cref="ServiceStart.Logger"/> instead, each line is forwarded to it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The program does not exist.</exception>
    public static ServiceProcess Start(ServiceStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentException.ThrowIfNullOrWhiteSpace(start.Program);
        if (start.LogFile is not null && start.Logger is not null)
        {
            throw new ArgumentException("A service's output goes to a log file or to a logger, not both.", nameof(start));
        }

        var program = Path.GetFullPath(start.Program);
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"Cannot start {start.Name}: {program} does not exist (build the solution first).", program);
        }

        List<string> command = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [PosixSignals.DotnetHost(), program] : [program];
        command.AddRange(start.Arguments);
        if (start.ParentProcessId != 0)
        {
            command.Add($"--{ParentProcessWatcher.ConfigurationKey}={start.ParentProcessId}");
        }

        var log = start.LogFile is null ? null : Path.GetFullPath(start.LogFile);
        ProcessStartInfo info;
        if (start.Logger is null)
        {
            if (log is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(log)!);
            }

            // sh -c SCRIPT NAME LOG PROGRAM ARGS...: the script sees the log as $1 and the command as the rest, so
            // nothing is parsed by the shell (paths with spaces or quotes are safe). The services run on Linux only.
            info = new ProcessStartInfo { FileName = Shell };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(RedirectScript);
            info.ArgumentList.Add(start.Name);
            info.ArgumentList.Add(log ?? "/dev/null");
            foreach (var argument in command)
            {
                info.ArgumentList.Add(argument);
            }
        }
        else
        {
            info = new ProcessStartInfo { FileName = command[0], RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in command.Skip(1))
            {
                info.ArgumentList.Add(argument);
            }
        }

        info.UseShellExecute = false;
        if (start.WorkingDirectory is not null)
        {
            info.WorkingDirectory = start.WorkingDirectory;
        }

        foreach (var (key, value) in start.Environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Start();
        var output = start.Logger is { } logger
            ? ServiceOutput.ForwardTo(process, $"{start.Name}[{process.Id}]", logger)
            : ServiceOutput.InFile(log);
        return new ServiceProcess(start.Name, process, output);
    }

    /// <summary>
    /// Waits until the service answers SERVING on <paramref name="channel"/> (<see cref="ServiceHealth"/>); fails at
    /// once, with its last output, if the process exits first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process exited before serving (the message has its last output).</exception>
    /// <exception cref="TimeoutException">Not serving within <paramref name="timeout"/> (the message has its last output).</exception>
    public Task WaitUntilServingAsync(GrpcChannel channel, TimeSpan timeout, CancellationToken cancellationToken) =>
        ServiceHealth.WaitUntilServingAsync(channel, timeout, this, Name, cancellationToken);

    /// <summary>The last lines the service wrote (from its log file, or as forwarded to the logger), for error messages.</summary>
    public string OutputTail() => _output.Tail();

    /// <summary>Asks the process to stop (SIGTERM) and waits up to <paramref name="grace"/>, then kills it.</summary>
    /// <returns>True when it stopped by itself within the grace period.</returns>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            await _process.WaitForExitAsync(CancellationToken.None); // drains forwarded output
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

    /// <summary>Stops the process (<see cref="StopAsync"/> with a 10 s grace) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(_disposeGrace);
        _process.Dispose();
    }
}

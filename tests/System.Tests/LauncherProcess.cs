using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.ServiceDefaults.Hosting;
using A3cGrpc.TestSupport;
using Grpc.Core;
using Grpc.Net.Client;

namespace A3cGrpc.SystemTests;

/// <summary>
/// The real launcher, <c>a3c train --workers N</c>, as its own OS process (so a test can kill it), with its console
/// output captured; its processes are found in /proc (the server and workers are its children, each EnvSim a child
/// of its worker). Disposing stops what is left and keeps the run folder's logs.
/// </summary>
internal sealed partial class LauncherProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];
    private readonly Lock _gate = new();
    private GrpcChannel? _channel;

    private LauncherProcess(string runDirectory, Process process)
    {
        RunDirectory = runDirectory;
        _process = process;
    }

    public string RunDirectory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Waits until the launcher has exited and its output and error streams are read to the end (<see cref="HasExited"/>
    /// can be true before the last lines reach <see cref="Output"/> and <see cref="Errors"/>: a CI run read no error line
    /// that way).
    /// </summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    /// <summary>The console lines so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_gate)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>The error lines so far.</summary>
    public string Errors
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    /// <summary>The server's address, from the launcher's first "parameter server: process ... on ..." line.</summary>
    public string Address => Output.Select(l => ServerLine().Match(l)).First(m => m.Success).Groups["address"].Value;

    public TrainingStatus.TrainingStatusClient Status => new(_channel ??= GrpcAddress.CreateChannel(Address));

    public string LogFile(string name) => Path.Combine(RunDirectory, "logs", name + ".log");

    /// <summary>Starts <c>a3c train</c> with <paramref name="arguments"/> and <c>--run-dir</c> a new temporary folder.</summary>
    public static LauncherProcess Start(params string[] arguments)
    {
        var runDirectory = Path.Combine(Directory.CreateTempSubdirectory("a3c-launcher-").FullName, "run");
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var cli = Path.Combine(RepositoryFiles.Root, "src", "Cli", "bin", baseDirectory.Parent!.Name, baseDirectory.Name, "a3c.dll");
        Assert.True(File.Exists(cli), $"{cli} is not built");
        var info = new ProcessStartInfo(PosixSignals.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(cli);
        info.ArgumentList.Add("train");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add("--run-dir");
        info.ArgumentList.Add(runDirectory);
        var process = new Process { StartInfo = info };
        var launcher = new LauncherProcess(runDirectory, process);
        process.OutputDataReceived += (_, e) => launcher.Add(launcher._output, e.Data);
        process.ErrorDataReceived += (_, e) => launcher.Add(launcher._errors, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return launcher;
    }

    /// <summary>How many console lines start with <paramref name="prefix"/>.</summary>
    public int CountOutput(string prefix) => Output.Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Waits for a console line that satisfies <paramref name="condition"/>.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Output.FirstOrDefault(condition) is { } line)
            {
                return line;
            }

            if (DateTime.UtcNow > deadline || HasExited)
            {
                throw new TimeoutException($"No launcher line with {what} within {timeout.TotalSeconds:F0} s{(HasExited ? $" (it exited with code {ExitCode})" : string.Empty)}. {Describe()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls <c>GetStatus</c> until <paramref name="condition"/> holds (a restarting server is waited for).</summary>
    public Task<TrainingStatusReply> WaitForStatusAsync(Func<TrainingStatusReply, bool> condition, TimeSpan timeout, string what) =>
        StatusPolling.WaitForStatusAsync(() => Status, condition, timeout, what, () => Task.FromResult(Describe()));

    /// <summary>The status now, or null when the server does not answer (within 5 s).</summary>
    public async Task<TrainingStatusReply?> TryGetStatusAsync()
    {
        try
        {
            return await Status.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>The live parameter server process, if any.</summary>
    public int? ServerProcessId()
    {
        foreach (var pid in ProcessTree.ChildrenOf(ProcessId).Where(ProcessTree.IsAlive))
        {
            if (ProcessTree.CommandLine(pid).Contains("A3cGrpc.ParameterServer.dll", StringComparison.Ordinal))
            {
                return pid;
            }
        }

        return null;
    }

    /// <summary>The live worker processes by worker id.</summary>
    public Dictionary<string, int> WorkerProcessIds()
    {
        var workers = new Dictionary<string, int>();
        foreach (var pid in ProcessTree.ChildrenOf(ProcessId).Where(ProcessTree.IsAlive))
        {
            var match = WorkerIdArgument().Match(ProcessTree.CommandLine(pid));
            if (match.Success)
            {
                workers[match.Groups["id"].Value] = pid;
            }
        }

        return workers;
    }

    /// <summary>Kills the launcher at once (SIGKILL): its children are left to notice by themselves.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>Waits until no live process mentions the run folder on its command line (server, workers, simulators).</summary>
    /// <returns>The processes still alive after <paramref name="timeout"/> (empty when all stopped).</returns>
    public async Task<IReadOnlyList<string>> WaitForRunProcessesToStopAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = ProcessTree.Mentioning(RunDirectory).Select(p => $"{p}: {ProcessTree.CommandLine(p)}").ToList();
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The console and where the logs are, for failure messages.</summary>
    public string Describe() => $"Launcher output:\n{string.Join('\n', Output.TakeLast(40))}\nErrors: {Errors}\nLogs in {Path.Combine(RunDirectory, "logs")}.";

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            PosixSignals.TryTerminate(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        // Whatever a failed test left running.
        foreach (var pid in ProcessTree.Mentioning(RunDirectory))
        {
            try
            {
                using var left = Process.GetProcessById(pid);
                left.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        _process.Dispose();

        // Keep the logs (named in failure messages); drop checkpoints and snapshots.
        if (Directory.Exists(RunDirectory))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(RunDirectory).Where(e => Path.GetFileName(e) != "logs"))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            lines.Add(line);
        }
    }

    [GeneratedRegex(@"^parameter server: process (?<pid>\d+) on (?<address>\S+)$")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"--Worker:WorkerId=(?<id>worker-\d+)")]
    private static partial Regex WorkerIdArgument();
}

/// <summary>The tests that run the launcher run one at a time (each runs a whole system on a machine that may have 2 cores).</summary>
[CollectionDefinition(Name)]
public sealed class LauncherTestGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "launcher";
}

/// <summary>Processes as /proc shows them.</summary>
internal static class ProcessTree
{
    /// <summary>The child processes of <paramref name="parentProcessId"/>.</summary>
    public static IReadOnlyList<int> ChildrenOf(int parentProcessId) => LocalSystem.ChildrenOf(parentProcessId);

    /// <summary>The command line (arguments joined by spaces; empty for a zombie or a process that is gone).</summary>
    public static string CommandLine(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>True while the process runs (not gone, not a zombie waiting to be reaped).</summary>
    public static bool IsAlive(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Live processes whose command line contains <paramref name="text"/> (not this one).</summary>
    public static IReadOnlyList<int> Mentioning(string text) =>
    [
        .. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && IsAlive(pid) && CommandLine(pid).Contains(text, StringComparison.Ordinal)),
    ];
}

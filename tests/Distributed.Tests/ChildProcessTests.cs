using A3cGrpc.Distributed.Hosting;

namespace A3cGrpc.Distributed.Tests;

/// <summary>
/// A child's output is its log file itself (opened by the child, appending), not a pipe through the process that
/// started it: so a launcher that is killed loses none of its children's last lines.
/// </summary>
public sealed class ChildProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-child-process-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Start_WithLogFile_ChildsStdoutAndStderrAreTheFileItself()
    {
        // A path with a space and a quote: it reaches the child as one argument, not through the shell's parsing.
        var log = Path.Combine(_folder, "logs", "it's a child.log");
        // sh -c takes the parent flag ChildProcess appends as its $0 (sleep itself would refuse it and exit).
        await using var child = ChildProcess.Start("sleeper", "/bin/sh", ["-c", "exec /bin/sleep 30"], logFile: log);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? stdout = null, stderr = null;
        while (DateTime.UtcNow < deadline)
        {
            // Until the shell has exec'd the program, the descriptors may still be the shell's own.
            stdout = ResolveLink($"/proc/{child.ProcessId}/fd/1");
            stderr = ResolveLink($"/proc/{child.ProcessId}/fd/2");
            if (stdout == log && stderr == log && IsSleep(child.ProcessId))
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(log, stdout);
        Assert.Equal(log, stderr);
        Assert.True(IsSleep(child.ProcessId), $"process {child.ProcessId} runs {ResolveLink($"/proc/{child.ProcessId}/exe")}, not the program (the shell must exec it)");
    }

    [Fact]
    public async Task Start_WithLogFile_AppendsStdoutAndStderrToWhatTheFileHeld()
    {
        var log = Path.Combine(_folder, "child.log");
        File.WriteAllText(log, "earlier run\n");

        await using var child = ChildProcess.Start("writer", "/bin/sh", ["-c", "echo first; echo error >&2; echo last"], logFile: log);
        await WaitUntilAsync(() => child.HasExited, "the child to exit");

        Assert.Equal(0, child.ExitCode);
        Assert.Equal(["earlier run", "first", "error", "last"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task Start_WithoutLogFile_DiscardsTheOutput_AndReportsTheExitCode()
    {
        await using var child = ChildProcess.Start("quiet", "/bin/sh", ["-c", "echo discarded; exit 3"]);

        await WaitUntilAsync(() => child.HasExited, "the child to exit");
        Assert.Equal(3, child.ExitCode);
    }

    [Fact]
    public async Task StopAsync_SignalsTheProgramItself()
    {
        var log = Path.Combine(_folder, "trap.log");
        var child = ChildProcess.Start("trapper", "/bin/sh", ["-c", "trap 'echo terminated; exit 0' TERM; echo ready; while true; do sleep 0.05; done"], logFile: log);
        await WaitUntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("ready", StringComparison.Ordinal), "the child to start");

        Assert.True(await child.StopAsync(TimeSpan.FromSeconds(10)));
        await child.DisposeAsync();
        Assert.Equal(["ready", "terminated"], File.ReadAllLines(log));
    }

    private static string? ResolveLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>True when the process runs <c>sleep</c> itself (not the <c>sh</c> that started it).</summary>
    private static bool IsSleep(int processId) => ResolveLink($"/proc/{processId}/exe")?.EndsWith("/sleep", StringComparison.Ordinal) == true;

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}

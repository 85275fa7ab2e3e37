using A3cGrpc.ServiceDefaults.Launching;
using A3cGrpc.TestSupport;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace A3cGrpc.ServiceDefaults.Tests;

/// <summary>
/// A child's output is its log file itself (opened by the child, appending), not a pipe through the process that
/// started it: so a launcher that is killed loses none of its children's last lines.
/// </summary>
public sealed class ServiceProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-child-process-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Start_WithLogFile_ChildsStdoutAndStderrAreTheFileItself()
    {
        // A path with a space and a quote: it reaches the child as one argument, not through the shell's parsing.
        var log = Path.Combine(_folder, "logs", "it's a child.log");
        // sh -c takes the parent flag ServiceProcess appends as its $0 (sleep itself would refuse it and exit).
        await using var child = Start("sleeper", ["-c", "exec /bin/sleep 30"], log);

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

        await using var child = Start("writer", ["-c", "echo first; echo error >&2; echo last"], log);
        await Poll.UntilAsync(() => child.HasExited, "the child to exit");

        Assert.Equal(0, child.ExitCode);
        Assert.Equal(["earlier run", "first", "error", "last"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task Start_WithoutLogFile_DiscardsTheOutput_AndReportsTheExitCode()
    {
        await using var child = Start("quiet", ["-c", "echo discarded; exit 3"], logFile: null);

        await Poll.UntilAsync(() => child.HasExited, "the child to exit");
        Assert.Equal(3, child.ExitCode);
    }

    [Fact]
    public async Task StopAsync_SignalsTheProgramItself()
    {
        var log = Path.Combine(_folder, "trap.log");
        var child = Start("trapper", ["-c", "trap 'echo terminated; exit 0' TERM; echo ready; while true; do sleep 0.05; done"], log);
        await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("ready", StringComparison.Ordinal), "the child to start");

        Assert.True(await child.StopAsync(TimeSpan.FromSeconds(10)));
        await child.DisposeAsync();
        Assert.Equal(["ready", "terminated"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task WaitUntilServingAsync_ProcessExitsFirst_FailsAtOnceWithItsExitCodeAndLastOutput()
    {
        var log = Path.Combine(_folder, "failing.log");
        await using var child = Start("failing", ["-c", "echo cannot bind the port; exit 2"], log);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => child.WaitUntilServingAsync(channel, TimeSpan.FromSeconds(60), CancellationToken.None));

        Assert.Contains("exited with code 2 before serving", failure.Message, StringComparison.Ordinal);
        Assert.Contains("cannot bind the port", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUntilServingAsync_NothingServes_TimesOutWithTheLastOutput()
    {
        var log = Path.Combine(_folder, "silent.log");
        await using var child = Start("silent", ["-c", "echo starting; exec /bin/sleep 30"], log);
        await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("starting", StringComparison.Ordinal), "the child to start");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort()}");

        var failure = await Assert.ThrowsAsync<TimeoutException>(
            () => child.WaitUntilServingAsync(channel, TimeSpan.FromMilliseconds(500), CancellationToken.None));

        Assert.Contains("did not serve within 0.5 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains("starting", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithLogger_ForwardsEachLine_StderrAsWarnings()
    {
        var logger = new ListLogger();
        await using var child = ServiceProcess.Start(new ServiceStart("talker", "/bin/sh")
        {
            Arguments = ["-c", "echo to stdout; echo to stderr >&2"],
            Logger = logger,
        });
        await Poll.UntilAsync(() => child.HasExited, "the child to exit");
        Assert.True(await child.StopAsync(TimeSpan.FromSeconds(30))); // already exited: waits for the last forwarded lines

        var prefix = $"talker[{child.ProcessId}]";
        Assert.Contains((LogLevel.Information, $"{prefix}: to stdout"), logger.Entries);
        Assert.Contains((LogLevel.Warning, $"{prefix} (stderr): to stderr"), logger.Entries);
        Assert.Contains("to stdout", child.OutputTail(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithLogFileAndLogger_IsRefused() =>
        Assert.Throws<ArgumentException>(() => ServiceProcess.Start(
            new ServiceStart("both", "/bin/sh") { LogFile = Path.Combine(_folder, "x.log"), Logger = new ListLogger() }));

    private static ServiceProcess Start(string name, string[] arguments, string? logFile) =>
        ServiceProcess.Start(new ServiceStart(name, "/bin/sh") { Arguments = arguments, LogFile = logFile });

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<(LogLevel, string)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
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
}

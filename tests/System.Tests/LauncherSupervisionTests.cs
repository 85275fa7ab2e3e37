using System.Text.RegularExpressions;

namespace A3cGrpc.SystemTests;

/// <summary>
/// The launcher (<c>a3c train</c>, its own process) supervises the parameter server as it does the workers: a killed
/// server is started again on the same folder and address and resumes its checkpoint, the workers reconnect, and a
/// server that keeps dying ends the run with an error naming its log. Each child writes its own log, so a killed
/// launcher loses none of their last lines.
/// </summary>
[Collection(LauncherTestGroup.Name)]
public sealed partial class LauncherSupervisionTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(180);

    private static readonly string[] _arguments =
    [
        "--workers", "2", "--envs-per-worker", "4", "--max-minutes", "15", "--no-stop-when-solved",
        "--checkpoint-every", "2", "--eval-every", "4000", "--eval-episodes", "1", "--seed", "5",
    ];

    [Fact]
    public async Task KilledServer_IsRestartedWithResume_AndTheRunGoesOn_AndAKilledLauncherLosesNoLog()
    {
        await using var launcher = LauncherProcess.Start(_arguments);
        var checkpoint = Path.Combine(launcher.RunDirectory, "checkpoint.a3c");
        await launcher.WaitForOutputAsync(l => l.StartsWith("parameter server: process ", StringComparison.Ordinal), _timeout, "the server's address");
        var trained = await launcher.WaitForStatusAsync(
            s => s.Progress.Workers.Count(w => w.PushesApplied >= 3) == 2 && s.Progress.Counters.ModelVersion >= 50 && File.Exists(checkpoint),
            _timeout, "both workers' pushes and a checkpoint");

        // Past a checkpoint interval (2 s) and time to write it, a checkpoint holds at least the version seen now.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var killed = launcher.ServerProcessId() ?? throw new InvalidOperationException($"No server process. {launcher.Describe()}");
        var before = (await launcher.TryGetStatusAsync())!.Progress.Counters;

        // Finding 4: the launcher used to stop the run here ("The parameter server exited with code 137").
        global::System.Diagnostics.Process.GetProcessById(killed).Kill();
        await launcher.WaitForOutputAsync(
            l => l.StartsWith("parameter server exited with code 137; restarting it on " + launcher.Address + " (it resumes from its last checkpoint)", StringComparison.Ordinal),
            _timeout, "the restart");
        var resumedLine = await WaitForLogLineAsync(launcher.LogFile("parameter-server"), "Resumed ", _timeout);
        var resumedAt = long.Parse(ResumedVersion().Match(resumedLine).Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(
            resumedAt >= trained.Progress.Counters.ModelVersion && resumedAt <= before.ModelVersion,
            $"resumed at version {resumedAt}; {trained.Progress.Counters.ModelVersion} seen 6 s before the kill, {before.ModelVersion} at the kill");

        // Both workers reconnect by themselves and training goes on from the resumed version, past where it was
        // killed (what it trained since the checkpoint is trained again first).
        await launcher.WaitForStatusAsync(
            s => s.Progress.Counters.ModelVersion >= resumedAt + 20 && s.Progress.Workers.Count(w => w.PushesApplied >= 3) == 2
                 && s.Progress.Counters.EnvironmentSteps > before.EnvironmentSteps,
            _timeout, "both workers to push to the restarted server, past the steps of the killed one");
        Assert.NotEqual(killed, launcher.ServerProcessId());
        Assert.False(launcher.HasExited);
        // The launcher says so (its output is read through a pipe, so the line may arrive after the status above).
        await launcher.WaitForOutputAsync(l => l.StartsWith("parameter server serving again", StringComparison.Ordinal), _timeout, "the launcher to say the server serves again");

        // Finding 5: kill the launcher; its children notice and stop by themselves, and their last lines reach logs/.
        launcher.Kill();
        var left = await launcher.WaitForRunProcessesToStopAsync(_timeout);
        Assert.True(left.Count == 0, $"still running after the launcher died: {string.Join("; ", left)}");
        var serverLog = File.ReadAllLines(launcher.LogFile("parameter-server"));
        Assert.True(
            Array.FindLastIndex(serverLog, l => l.Contains("Stopped at version", StringComparison.Ordinal)) > Array.FindLastIndex(serverLog, l => l.Contains("Resumed ", StringComparison.Ordinal)),
            "the restarted server's final-checkpoint line is missing from logs/parameter-server.log");
        foreach (var worker in new[] { "worker-1", "worker-2" })
        {
            Assert.Contains(File.ReadAllLines(launcher.LogFile(worker)), l => l.Contains($"Worker {worker} stopped", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ServerThatKeepsDying_EndsTheRunWithAnErrorNamingItsLog()
    {
        await using var launcher = LauncherProcess.Start(_arguments);
        await launcher.WaitForOutputAsync(l => l.StartsWith("parameter server: process ", StringComparison.Ordinal), _timeout, "the server's address");
        await launcher.WaitForStatusAsync(s => s.Progress.Workers.Count(w => w.PushesApplied >= 1) == 2, _timeout, "both workers' pushes");

        // Kill each server as soon as it is started (three exits within seconds: the launcher allows 3 within 60 s).
        for (var deaths = 1; deaths <= 3; deaths++)
        {
            await launcher.WaitForOutputAsync(_ => launcher.CountOutput("parameter server: process ") == deaths, _timeout, $"server start {deaths}");
            var server = launcher.ServerProcessId() ?? throw new InvalidOperationException($"No server process. {launcher.Describe()}");
            global::System.Diagnostics.Process.GetProcessById(server).Kill();
        }

        await launcher.WaitForExitAsync(_timeout);

        Assert.True(launcher.ExitCode == 1, $"exit code {launcher.ExitCode}. {launcher.Describe()}");
        Assert.Contains("error: The parameter server exited with code 137: 3 exits within 60 s, so it is not restarted again.", launcher.Errors, StringComparison.Ordinal);
        Assert.Contains(launcher.LogFile("parameter-server"), launcher.Errors, StringComparison.Ordinal);
        var left = await launcher.WaitForRunProcessesToStopAsync(_timeout);
        Assert.True(left.Count == 0, $"still running after the run ended: {string.Join("; ", left)}");
    }

    internal static async Task<string> WaitForLogLineAsync(string log, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(log) && File.ReadAllLines(log).LastOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"No line with '{text}' in {log} within {timeout.TotalSeconds:F0} s.");
    }

    [GeneratedRegex(@"version (?<version>\d+),")]
    internal static partial Regex ResumedVersion();
}

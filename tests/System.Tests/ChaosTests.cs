using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace A3cGrpc.SystemTests;

/// <summary>
/// Chaos on the local system under its real launcher (<c>a3c train --workers 2</c>): for about a minute, every few
/// seconds one process picked at random with a fixed seed (the parameter server, a worker, or a worker's EnvSim) is
/// killed with SIGKILL, and the test waits for the system to recover. Then: training went on, the model version never
/// went back by more than one checkpoint interval, the killed launcher's processes all stopped by themselves (no
/// orphan), and every log is complete. The figures go to <c>chaos-results.json</c> beside the logs (kept in the
/// temporary folder; one run's copy is docs/results/chaos-20261203.json, read in docs/distributed.md, "Chaos").
/// </summary>
[Collection(LauncherTestGroup.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Seed = 20260309;
    private const int CheckpointSeconds = 3;

    // The launcher ends the run at the parameter server's 3rd exit within 60 s (RestartWindow.ServerMaxDeaths and
    // ServerWindow in src/Cli/Launcher): the chaos kills the server at most twice in any 65 s.
    private const int ServerKillsPerWindow = 2;
    private static readonly TimeSpan _serverKillWindow = TimeSpan.FromSeconds(65);

    private static readonly TimeSpan _chaosDuration = TimeSpan.FromSeconds(60);

    // Generous on purpose (a loaded 2-core CI machine): how long the system may take to be whole again after a kill.
    private static readonly TimeSpan _recoveryTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(180);

    // A periodic checkpoint is taken on a 200 ms tick once the interval has passed, and takes time to write (a kill
    // during the write leaves the one before): what a server restart may lose is one interval plus this slack.
    private static readonly TimeSpan _checkpointSlack = TimeSpan.FromSeconds(3);

    private static readonly string[] _workerIds = ["worker-1", "worker-2"];
    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    [Fact]
    public async Task RandomKillsForAMinute_TrainingGoesOn_VersionsKept_NoOrphans_LogsComplete()
    {
        await using var launcher = LauncherProcess.Start(
            "--workers", "2", "--envs-per-worker", "4", "--max-minutes", "20", "--no-stop-when-solved",
            "--checkpoint-every", CheckpointSeconds.ToString(CultureInfo.InvariantCulture), "--eval-every", "5000", "--eval-episodes", "1", "--seed", "3");
        var checkpoint = Path.Combine(launcher.RunDirectory, "checkpoint.a3c");
        await launcher.WaitForOutputAsync(l => l.StartsWith("parameter server: process ", StringComparison.Ordinal), _startTimeout, "the server's address");
        var start = await launcher.WaitForStatusAsync(
            s => s.Progress.Workers.Count(w => w.PushesApplied >= 3) == 2 && File.Exists(checkpoint), _startTimeout, "both workers' pushes and a checkpoint");

        // Every answer of GetStatus during the chaos, to check the version never went back too far.
        var clock = Stopwatch.StartNew();
        var samples = new List<(TimeSpan At, long Version)>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                // Stamped when asked, not when answered: an answer from a server about to be killed can arrive after
                // the kill's time, which would put the kill outside the drop's sample interval (a CI run failed so).
                var askedAt = clock.Elapsed;
                if (await launcher.TryGetStatusAsync() is { } s)
                {
                    lock (samples)
                    {
                        samples.Add((askedAt, s.Progress.Counters.ModelVersion));
                    }
                }

                await Task.Delay(250);
            }
        });

        var random = new Random(Seed);
        var kills = new List<Kill>();
        while (clock.Elapsed < _chaosDuration)
        {
            await Task.Delay(random.Next(2000, 5000));
            var kinds = new List<string> { "worker", "envsim" };
            if (kills.Count(k => k.Kind == "server" && clock.Elapsed - k.At < _serverKillWindow) < ServerKillsPerWindow)
            {
                kinds.Add("server");
            }

            var kind = kinds[random.Next(kinds.Count)];
            var workerId = _workerIds[random.Next(_workerIds.Length)];
            var target = kind switch
            {
                "server" => launcher.ServerProcessId(),
                "worker" => launcher.WorkerProcessIds().GetValueOrDefault(workerId),
                _ => ProcessTree.ChildrenOf(launcher.WorkerProcessIds().GetValueOrDefault(workerId)).Where(ProcessTree.IsAlive).Cast<int?>().FirstOrDefault(),
            };
            Assert.True(target is > 0, $"no {kind} process to kill ({workerId}). {launcher.Describe()}");
            var before = (await launcher.TryGetStatusAsync())?.Progress.Counters.ModelVersion ?? 0;
            var killedAt = clock.Elapsed;
            Process.GetProcessById(target!.Value).Kill();
            var recovery = await WaitForRecoveryAsync(launcher, target.Value, $"{kind} {target} ({(kind == "server" ? "server" : workerId)}) killed at {killedAt.TotalSeconds:F0} s");
            long? resumedAt = null;
            if (kind == "server")
            {
                var line = await LauncherSupervisionTests.WaitForLogLineAsync(launcher.LogFile("parameter-server"), "Resumed ", _recoveryTimeout);
                resumedAt = long.Parse(LauncherSupervisionTests.ResumedVersion().Match(line).Groups["version"].Value, CultureInfo.InvariantCulture);
            }

            kills.Add(new Kill(kind, kind == "server" ? "parameter-server" : workerId, killedAt, clock.Elapsed - killedAt, before, resumedAt));
            output.WriteLine($"{killedAt.TotalSeconds,5:F1} s: killed {kind} {target}{(kind == "server" ? string.Empty : $" ({workerId})")}; whole again after {(clock.Elapsed - killedAt).TotalSeconds:F1} s{(resumedAt is { } r ? $", resumed at version {r} (was {before})" : string.Empty)}; {recovery}");
        }

        await sampling.CancelAsync();
        await sampler;
        var end = (await launcher.TryGetStatusAsync())!;

        // Training went on: versions and steps grew, an evaluation and a checkpoint happened after the chaos began.
        // Each kill waits for the system to be whole again, so how many fit in the minute depends on the machine's
        // load (9 in the run of docs/results/chaos-20261203.json, 7 in a CI run); the fixed seed has killed each kind by the fifth.
        Assert.True(kills.Count >= 5, $"only {kills.Count} kills in {_chaosDuration.TotalSeconds} s");
        Assert.Contains(kills, k => k.Kind == "server");
        Assert.Contains(kills, k => k.Kind == "worker");
        Assert.Contains(kills, k => k.Kind == "envsim");
        Assert.True(end.Progress.Counters.ModelVersion > start.Progress.Counters.ModelVersion, $"version {end.Progress.Counters.ModelVersion}, {start.Progress.Counters.ModelVersion} before the chaos");
        Assert.True(end.Progress.Counters.EnvironmentSteps > start.Progress.Counters.EnvironmentSteps);
        Assert.True(
            end.Evaluations.Any(e => e.EnvironmentSteps > start.Progress.Counters.EnvironmentSteps),
            $"no evaluation after {start.Progress.Counters.EnvironmentSteps} steps: {string.Join(", ", end.Evaluations.Select(e => e.EnvironmentSteps))}");

        // The version seen by GetStatus went back only across a server restart, and by at most one checkpoint interval
        // of the server that was killed: what it served more than an interval before its last answer was kept. Versions
        // of an earlier incarnation (before an earlier drop) do not count; with none old enough, the version that
        // incarnation resumed at was kept (two kills a few seconds apart lost versions to CI this way).
        var interval = TimeSpan.FromSeconds(CheckpointSeconds) + _checkpointSlack;
        var worstLoss = 0L;
        var incarnationStart = 0;
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Version >= samples[i - 1].Version)
            {
                continue;
            }

            var resumedAt = kills.LastOrDefault(k => k.Kind == "server" && k.At < samples[incarnationStart].At)?.ResumedAt ?? 1;
            var kept = samples.Skip(incarnationStart).Take(i - incarnationStart)
                .Where(s => s.At <= samples[i - 1].At - interval).Select(s => s.Version).DefaultIfEmpty(resumedAt).Max();
            Assert.True(
                samples[i].Version >= kept,
                $"at {samples[i].At.TotalSeconds:F1} s the version went back to {samples[i].Version}, older than {kept} seen more than {interval.TotalSeconds} s before the last answer ({samples[i - 1].Version} at {samples[i - 1].At.TotalSeconds:F1} s)");
            Assert.Contains(kills, k => k.Kind == "server" && k.At >= samples[i - 1].At && k.At <= samples[i].At);
            worstLoss = Math.Max(worstLoss, samples[i - 1].Version - samples[i].Version);
            incarnationStart = i;
        }

        // Kill the launcher itself: every process stops by itself (no orphan), and the logs hold every process's lines.
        launcher.Kill();
        var left = await launcher.WaitForRunProcessesToStopAsync(_recoveryTimeout);
        Assert.True(left.Count == 0, $"orphans after the launcher died: {string.Join("; ", left)}");
        var serverStarts = launcher.CountOutput("parameter server: process ");
        Assert.Equal(1 + kills.Count(k => k.Kind == "server"), serverStarts);
        AssertLogComplete(launcher.LogFile("parameter-server"), serverStarts, l => l.Contains("New run in ", StringComparison.Ordinal) || l.Contains("Resumed ", StringComparison.Ordinal), "Stopped at version");
        foreach (var worker in _workerIds)
        {
            AssertLogComplete(
                launcher.LogFile(worker), launcher.CountOutput($"{worker}: process "), l => l.Contains($"Worker {worker} starts at model version", StringComparison.Ordinal), $"Worker {worker} stopped");
        }

        var results = new
        {
            seed = Seed,
            checkpointIntervalSeconds = CheckpointSeconds,
            chaosSeconds = Math.Round(_chaosDuration.TotalSeconds),
            killsSurvived = kills.GroupBy(k => k.Kind).ToDictionary(g => g.Key, g => g.Count()),
            longestRecoverySeconds = kills.GroupBy(k => k.Kind).ToDictionary(g => g.Key, g => Math.Round(g.Max(k => k.Recovery.TotalSeconds), 1)),
            versionsLostPerServerRestart = kills.Where(k => k.ResumedAt is not null).Select(k => k.VersionBefore - k.ResumedAt!.Value).ToArray(),
            worstVersionDropSeenByGetStatus = worstLoss,
            versionAtStart = start.Progress.Counters.ModelVersion,
            versionAtEnd = end.Progress.Counters.ModelVersion,
            environmentStepsAtStart = start.Progress.Counters.EnvironmentSteps,
            environmentStepsAtEnd = end.Progress.Counters.EnvironmentSteps,
            processors = Environment.ProcessorCount,
            kills = kills.Select(k => new { k.Kind, k.Target, at = Math.Round(k.At.TotalSeconds, 1), recovery = Math.Round(k.Recovery.TotalSeconds, 1), versionBefore = k.VersionBefore, resumedAt = k.ResumedAt }),
        };
        var file = Path.Combine(launcher.RunDirectory, "logs", "chaos-results.json");
        File.WriteAllText(file, JsonSerializer.Serialize(results, _json));
        output.WriteLine($"Results: {file}");
    }

    /// <summary>
    /// Waits until the killed process is gone and the system is whole: a serving parameter server, both workers, each
    /// with its EnvSim, and both workers' pushes applied again (3 each, counted from the first answer after the kill).
    /// </summary>
    private static async Task<string> WaitForRecoveryAsync(LauncherProcess launcher, int killed, string what)
    {
        var deadline = DateTime.UtcNow + _recoveryTimeout;
        Dictionary<string, long>? baseline = null;
        var state = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            var status = await launcher.TryGetStatusAsync();
            var workers = launcher.WorkerProcessIds();
            var simulators = workers.Values.Count(w => ProcessTree.ChildrenOf(w).Any(ProcessTree.IsAlive));
            if (status is not null)
            {
                var pushes = _workerIds.ToDictionary(id => id, id => status.Progress.Workers.FirstOrDefault(w => w.WorkerId == id)?.PushesApplied ?? 0);
                baseline ??= pushes;
                state = $"{workers.Count} workers, {simulators} with a simulator, pushes {string.Join(", ", pushes.Select(p => $"{p.Key} {p.Value - baseline[p.Key]}"))} since the kill";
                if (!ProcessTree.IsAlive(killed) && launcher.ServerProcessId() is not null && workers.Count == 2 && simulators == 2
                    && pushes.All(p => p.Value >= baseline[p.Key] + 3))
                {
                    return state;
                }
            }

            if (launcher.HasExited)
            {
                Assert.Fail($"The launcher exited (code {launcher.ExitCode}) after {what}. {launcher.Describe()}");
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The system did not recover within {_recoveryTimeout.TotalSeconds:F0} s after {what}: {state}. {launcher.Describe()}");
    }

    /// <summary>The log holds one start line per start, and its stop line after the last start (the last incarnation stopped gracefully).</summary>
    private static void AssertLogComplete(string log, int starts, Func<string, bool> isStart, string stopLine)
    {
        var lines = File.ReadAllLines(log);
        Assert.True(lines.Count(isStart) == starts, $"{log}: {lines.Count(isStart)} start lines for {starts} starts");
        var lastStart = Array.FindLastIndex(lines, l => isStart(l));
        var stop = Array.FindLastIndex(lines, l => l.Contains(stopLine, StringComparison.Ordinal));
        Assert.True(stop > lastStart, $"{log}: no '{stopLine}' after the last start (line {lastStart + 1})");
    }

    private sealed record Kill(string Kind, string Target, TimeSpan At, TimeSpan Recovery, long VersionBefore, long? ResumedAt);
}

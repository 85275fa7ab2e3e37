using A3cGrpc.Contracts.V1;

namespace A3cGrpc.SystemTests;

/// <summary>
/// The parameter server, two workers and their EnvSim processes as real processes on loopback: training
/// progresses, the policy answers, and the system survives a dead worker, a dead simulator and a server restart.
/// </summary>
public sealed class DistributedRunTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task TwoWorkers_Train_ServeThePolicy_AndSurviveFaults()
    {
        await using var system = new LocalSystem();
        await system.StartServerAsync();
        var worker1 = system.StartWorker(1);
        var worker2 = system.StartWorker(2);

        // Both workers' pushes are applied, versions advance, an evaluation is reported, a checkpoint is written.
        var status = await system.WaitForStatusAsync(
            s => s.Progress.Workers.Count(w => w.PushesApplied >= 5) == 2 && s.Evaluations.Count >= 1 && File.Exists(Path.Combine(system.RunDirectory, "checkpoint.a3c")),
            _timeout,
            "both workers' pushes, an evaluation and a checkpoint");
        Assert.True(status.Progress.Counters.ModelVersion > 10, $"version {status.Progress.Counters.ModelVersion}");
        Assert.True(status.Evaluations[0].Episodes == 2 && double.IsFinite(status.Evaluations[0].MeanReturn));

        // The policy answers over gRPC with valid actions and the model version.
        var act = await system.Policy.ActAsync(new ActRequest { Observation = { 0f, 0f, 1f, 0f, 0f }, Deterministic = true });
        Assert.Single(act.Action);
        Assert.InRange(act.Action[0], -1f, 1f);
        Assert.True(act.ModelVersion >= 1);
        var batch = await system.Policy.ActBatchAsync(new ActBatchRequest { Count = 3, Observations = { Enumerable.Repeat(0.1f, 15) } });
        Assert.Equal(3, batch.Actions.Count);
        Assert.All(batch.Actions, a => Assert.InRange(a, -1f, 1f));

        // Kill one worker: training continues on the other.
        worker1.KillNow();
        var afterKill = await system.Status.GetStatusAsync(new GetStatusRequest());
        var worker2Pushes = Pushes(afterKill, "worker-2");
        await system.WaitForStatusAsync(
            s => s.Progress.Counters.ModelVersion >= afterKill.Progress.Counters.ModelVersion + 10 && Pushes(s, "worker-2") >= worker2Pushes + 10,
            _timeout,
            "training to continue on worker-2 after worker-1 was killed");

        // Kill worker-2's EnvSim: the worker starts a new one and keeps pushing.
        var simulator = Assert.Single(LocalSystem.ChildrenOf(worker2.ProcessId));
        global::System.Diagnostics.Process.GetProcessById(simulator).Kill();
        var afterSimulatorKill = Pushes(await system.Status.GetStatusAsync(new GetStatusRequest()), "worker-2");
        await system.WaitForStatusAsync(
            s => Pushes(s, "worker-2") >= afterSimulatorKill + 10,
            _timeout,
            "worker-2 to push again after its simulator was killed");
        var replacement = Assert.Single(LocalSystem.ChildrenOf(worker2.ProcessId));
        Assert.NotEqual(simulator, replacement);

        // Restart the parameter server: it resumes from its checkpoint and worker-2 reconnects by itself.
        var beforeRestart = await system.Status.GetStatusAsync(new GetStatusRequest());
        await system.RestartServerAsync();
        var resumed = await system.Status.GetStatusAsync(new GetStatusRequest());
        Assert.True(
            resumed.Progress.Counters.ModelVersion >= beforeRestart.Progress.Counters.ModelVersion,
            $"resumed at version {resumed.Progress.Counters.ModelVersion}, was {beforeRestart.Progress.Counters.ModelVersion}");
        Assert.True(resumed.Progress.Counters.EnvironmentSteps >= beforeRestart.Progress.Counters.EnvironmentSteps);
        Assert.True(resumed.Evaluations.Count >= beforeRestart.Evaluations.Count);
        await system.WaitForStatusAsync(
            s => s.Progress.Counters.ModelVersion >= resumed.Progress.Counters.ModelVersion + 10 && Pushes(s, "worker-2") >= 1,
            _timeout,
            "worker-2 to reconnect to the restarted server");
        Assert.False(worker2.HasExited);
    }

    private static long Pushes(TrainingStatusReply status, string workerId) =>
        status.Progress.Workers.FirstOrDefault(w => w.WorkerId == workerId)?.PushesApplied ?? 0;
}

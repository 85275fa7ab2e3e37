using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.OtlpReceiver;
using DotNet.Testcontainers.Containers;

namespace A3cGrpc.EndToEndTests;

/// <summary>
/// The images working together: the parameter server and worker pods (worker + EnvSim) in containers on a private
/// network. One system for the class; the steps run in order, the last ones break it on purpose (a killed worker, a
/// restarted server).
/// </summary>
[Trait("Category", "EndToEnd")]
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed class SystemInContainersTests(Cluster cluster) : IClassFixture<Cluster>
{
    [Fact]
    [Step(1)]
    public async Task Training_Progresses_WithBothWorkersPushesApplied_AndAnEvaluationReported()
    {
        var status = await cluster.WaitForStatusAsync(
            s => Pushes(s, "worker-1") >= 5 && Pushes(s, "worker-2") >= 5 && s.Evaluations.Count >= 2,
            "both workers' pushes and an evaluation after training started");

        Assert.True(status.Progress.Counters.ModelVersion > 10, $"version {status.Progress.Counters.ModelVersion}");
        var evaluation = status.Evaluations[^1];
        Assert.True(evaluation.ModelVersion > 1 && evaluation.Episodes == 2 && double.IsFinite(evaluation.MeanReturn), evaluation.ToString());
        Assert.Equal(string.Empty, status.RunDirectory); // no token: no filesystem path
        var withToken = await cluster.Status.GetStatusAsync(new GetStatusRequest(), BearerToken.ToMetadata(cluster.Token));
        Assert.Equal("/data/run", withToken.RunDirectory);
    }

    [Fact]
    [Step(2)]
    public async Task Policy_AnswersActAndActBatch_WithValidActionsAndTheModelVersion()
    {
        var live = (await cluster.Status.GetStatusAsync(new GetStatusRequest())).Progress.Counters.ModelVersion;

        var act = await cluster.Policy.ActAsync(new ActRequest { Observation = { 0f, 0f, 1f, 0f, 0f }, Deterministic = true });
        var batch = await cluster.Policy.ActBatchAsync(new ActBatchRequest { Count = 3, Observations = { Enumerable.Repeat(0.1f, 15) } });

        var action = Assert.Single(act.Action);
        Assert.InRange(action, -1f, 1f);
        Assert.True(float.IsFinite(act.Value) && act.Sigma.All(s => s > 0f), act.ToString());
        Assert.InRange(act.ModelVersion, live, long.MaxValue);
        Assert.Equal(3, batch.Actions.Count);
        Assert.All(batch.Actions, a => Assert.InRange(a, -1f, 1f));
        Assert.InRange(batch.ModelVersion, live, long.MaxValue);
    }

    [Fact]
    [Step(3)]
    public async Task EveryUpdateInAWindow_IsOneTrace_AcrossTheWorkerSimulatorAndServerContainers()
    {
        string[] workers = ["worker-1", "worker-2"];

        var spans = await cluster.Receiver.WaitForAsync(all => UpdateTraces.WindowProblem(all, workers, 5, 14), TimeSpan.FromSeconds(120));

        Assert.Null(UpdateTraces.WindowProblem(spans, workers, 5, 14));
    }

    [Fact]
    [Step(4)]
    public async Task APushWithAWrongToken_FromAContainerOnTheNetwork_IsRefusedUnauthenticated_AndChangesNothing()
    {
        await cluster.StartPodAsync("intruder", pushToken: "not-the-push-token-of-this-server");
        var worker = cluster.WorkerOf("intruder");

        var exitCode = await worker.GetExitCodeAsync().WaitAsync(TimeSpan.FromSeconds(120));

        var (stdout, stderr) = await worker.GetLogsAsync();
        Assert.NotEqual(0, exitCode);
        Assert.Contains("StatusCode=\"Unauthenticated\"", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("the call had a wrong token", stdout + stderr, StringComparison.Ordinal);
        var status = await cluster.Status.GetStatusAsync(new GetStatusRequest());
        Assert.Equal(0, Pushes(status, "intruder"));
    }

    [Fact]
    [Step(5)]
    public async Task KillingAWorkerContainer_TrainingContinuesOnTheOther_AndAReplacementJoins()
    {
        await cluster.KillWorkerAsync("worker-1");
        var afterKill = await cluster.Status.GetStatusAsync(new GetStatusRequest());

        await cluster.WaitForStatusAsync(
            s => s.Progress.Counters.ModelVersion >= afterKill.Progress.Counters.ModelVersion + 10 && Pushes(s, "worker-2") >= Pushes(afterKill, "worker-2") + 10,
            "training to continue on worker-2 after worker-1 was killed");
        // The replacement's EnvSim starts 8 s late (a slow sidecar); its worker, started at once, waits for it.
        await cluster.StartPodAsync("worker-3", envSimDelaySeconds: 8);
        await cluster.WaitForStatusAsync(s => Pushes(s, "worker-3") >= 5, "the replacement worker-3 to push");

        Assert.Equal(Pushes(afterKill, "worker-1"), Pushes(await cluster.Status.GetStatusAsync(new GetStatusRequest()), "worker-1"));
        Assert.Equal(TestcontainersStates.Running, cluster.WorkerOf("worker-3").State);
    }

    [Fact]
    [Step(6)]
    public async Task RestartingTheServerContainer_OnItsVolume_ResumesFromTheCheckpoint_AndWorkersReconnect()
    {
        var before = await cluster.Status.GetStatusAsync(new GetStatusRequest());

        await cluster.RestartServerAsync();

        var resumed = await cluster.Status.GetStatusAsync(new GetStatusRequest());
        Assert.True(resumed.Progress.Counters.ModelVersion >= before.Progress.Counters.ModelVersion, $"resumed at version {resumed.Progress.Counters.ModelVersion}, was {before.Progress.Counters.ModelVersion}");
        Assert.True(resumed.Progress.Counters.EnvironmentSteps >= before.Progress.Counters.EnvironmentSteps);
        Assert.True(resumed.Evaluations.Count >= before.Evaluations.Count);
        await cluster.WaitForStatusAsync(
            s => s.Progress.Counters.ModelVersion >= resumed.Progress.Counters.ModelVersion + 10
                && Pushes(s, "worker-2") > Pushes(resumed, "worker-2") && Pushes(s, "worker-3") > Pushes(resumed, "worker-3"),
            "worker-2 and worker-3 to push to the restarted server");
    }

    private static long Pushes(TrainingStatusReply status, string workerId) =>
        status.Progress.Workers.FirstOrDefault(w => w.WorkerId == workerId)?.PushesApplied ?? 0;
}

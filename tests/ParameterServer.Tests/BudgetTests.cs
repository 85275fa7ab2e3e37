using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.TestSupport;
using Grpc.Core;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class BudgetTests
{
    [Fact]
    public async Task PushGradients_StepBudgetReached_FinishesEvaluatesTheLastVersionAndRefusesFurtherPushes()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["ParameterServer:StopAtEnvironmentSteps"] = "100",
        });
        using var learner = TestModel.Learner();

        var first = await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1", environmentSteps: 60), ServerHost.PushAuth);
        var crossing = await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 2), 2, "u2", environmentSteps: 60), ServerHost.PushAuth);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 3), 3, "u3", environmentSteps: 60), ServerHost.PushAuth));
        var status = await Poll.UntilAsync(
            async () => await server.Status.GetStatusAsync(new GetStatusRequest()),
            s => s.Evaluations.Count > 0 && s.Evaluations[^1].ModelVersion == 3,
            "the final evaluation of version 3");
        var summary = await Poll.UntilAsync(
            () => Task.FromResult(ReadSummary(folder.Path)), s => s?.StopReason == "step budget", "summary.json to say why training finished");
        var act = new ActRequest { Deterministic = true };
        act.Observation.AddRange([0f, 0f, 1f, 0f, 0f]);
        var served = await server.Policy.ActAsync(act);

        Assert.Equal((2L, 3L), (first.Version, crossing.Version));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(PushRefusal.Finished, PushRefusal.ReasonOf(refused));
        Assert.Equal("training finished: step budget", refused.Status.Detail);
        Assert.Equal("step budget", status.Progress.FinishedReason);
        Assert.Equal(120, status.Progress.Counters.EnvironmentSteps);
        Assert.Equal(120, status.Evaluations[^1].EnvironmentSteps);
        Assert.Equal(120, summary!.EnvSteps);
        Assert.Equal(3, served.ModelVersion);
    }

    [Fact]
    public async Task Server_TimeBudgetReached_FinishesAndStopsTheTrainingClock()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["ParameterServer:StopAtElapsedSeconds"] = "0.5",
        });
        using var learner = TestModel.Learner();

        var finished = await Poll.UntilAsync(
            async () => await server.Status.GetStatusAsync(new GetStatusRequest()),
            s => s.Progress.FinishedReason.Length > 0,
            "the time budget to finish training");
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1"), ServerHost.PushAuth));
        await Task.Delay(300);
        var later = await server.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal("time budget", finished.Progress.FinishedReason);
        Assert.True(finished.Progress.Counters.ElapsedSeconds >= 0.5);
        Assert.Equal(finished.Progress.Counters.ElapsedSeconds, later.Progress.Counters.ElapsedSeconds);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(PushRefusal.Finished, PushRefusal.ReasonOf(refused));
        Assert.Equal("training finished: time budget", refused.Status.Detail);
    }

    private static RunSummary? ReadSummary(string runDirectory)
    {
        var path = Path.Combine(runDirectory, "summary.json");
        try
        {
            return File.Exists(path) ? RunSummary.Load(path) : null;
        }
        catch (IOException)
        {
            return null; // being replaced
        }
    }
}

using A3cGrpc.Distributed;
using A3cGrpc.WorkerService.Tests.Fakes;
using static A3cGrpc.WorkerService.Tests.Fakes.Testbed;

namespace A3cGrpc.WorkerService.Tests;

/// <summary>The worker loop (<see cref="A3cWorker.RunAsync"/>) against an in-memory parameter server and simulator.</summary>
public sealed class WorkerLoopTests
{
    [Fact]
    public async Task RunAsync_MaxUpdatesReached_StopsTheApplication()
    {
        using var testbed = new Testbed();
        var worker = testbed.CreateWorker(maxUpdates: 3);

        await worker.RunAsync(CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(1, testbed.Lifetime.StopApplicationCalls);
        var ids = testbed.Server.Applied.Select(p => p.UpdateId).ToList();
        Assert.Equal(3, ids.Count);
        Assert.All(ids, id => Assert.StartsWith($"{Testbed.WorkerId}-", id, StringComparison.Ordinal));
        Assert.Equal(["1", "2", "3"], ids.Select(id => id[(id.LastIndexOf('-') + 1)..]));
        Assert.Single(ids.Select(id => id[..id.LastIndexOf('-')]).Distinct());
        Assert.Equal([0], testbed.Server.Pulls);
        var session = Assert.Single(testbed.Simulator.Sessions);
        Assert.Equal(Environments, session.Count);
        Assert.True(session.StaggersEpisodes);
        Assert.True(session.IsDisposed);
        Assert.Contains(testbed.Logger.Entries, e => e.Message == $"Worker {Testbed.WorkerId} finished its 3 updates");
    }

    [Fact]
    public async Task RunAsync_SimulatorFails_ReplacesTheSessionAndPushesTheNextUpdate()
    {
        using var testbed = new Testbed();
        var worker = testbed.CreateWorker(maxUpdates: 1);
        testbed.Simulator.FailOnStep(2);

        await worker.RunAsync(CancellationToken.None).WaitAsync(HangGuard);

        Assert.Equal(2, testbed.Simulator.Sessions.Count);
        Assert.True(testbed.Simulator.Sessions[0].IsBroken);
        Assert.True(testbed.Simulator.Sessions[0].IsDisposed);
        Assert.Equal(1, testbed.Simulator.ResetsAfterFailure);
        var push = Assert.Single(testbed.Server.Pushes);
        Assert.EndsWith("-1", push.UpdateId, StringComparison.Ordinal);
        Assert.Equal(NSteps * Environments, push.Statistics.EnvironmentSteps);
        Assert.Equal(NSteps, testbed.Simulator.Sessions[1].EndsRollout.Count);
        Assert.True(testbed.Simulator.Sessions[1].IsDisposed);
        Assert.Equal(1, testbed.Lifetime.StopApplicationCalls);
    }

    [Fact]
    public async Task RunAsync_TrainingFinished_WaitsForTheServerToTrainAgainThenPushes()
    {
        using var testbed = new Testbed();
        var worker = testbed.CreateWorker(maxUpdates: 2);
        testbed.Server.FinishTraining("step budget", statusPolls: 2);

        await worker.RunAsync(CancellationToken.None).WaitAsync(HangGuard);

        var first = testbed.Server.Pushes[0].UpdateId;
        var prefix = first[..first.LastIndexOf('-')];
        Assert.Equal(
            [
                "describe",
                "pull 0",
                $"push {prefix}-1 refused {PushRefusal.Finished}",
                "status finished",
                "status finished",
                "status training",
                "pull 0",
                $"push {prefix}-2 applied",
            ],
            testbed.Server.Calls);
        Assert.Equal(1, testbed.Lifetime.StopApplicationCalls);
    }

    [Fact]
    public async Task RunAsync_NewSessionWithStaggeredEpisodes_ReportsOnlyTheUncutFirstEpisode()
    {
        using var testbed = new Testbed();
        var worker = testbed.CreateWorker(maxUpdates: 2);

        await worker.RunAsync(CancellationToken.None).WaitAsync(HangGuard);

        // Every environment's first episode ends in the second update (after 6 steps). With staggered episodes the
        // worker takes all but the last environment's first episode for one the simulator cut short: not reported.
        Assert.Empty(testbed.Server.Applied[0].Statistics.EpisodeReturns);
        Assert.Single(testbed.Server.Applied[1].Statistics.EpisodeReturns);
    }

    [Fact]
    public async Task RunAsync_StoppedDuringAPush_FinishesThePushLogsStoppedAndReturnsWithoutStoppingTheApplication()
    {
        using var testbed = new Testbed();
        var worker = testbed.CreateWorker(maxUpdates: 0);
        using var stopping = new CancellationTokenSource();
        testbed.Server.HoldPushes();

        var run = worker.RunAsync(stopping.Token);
        await testbed.Server.PushArrived.WaitAsync(HangGuard);
        await stopping.CancelAsync();
        testbed.Server.ReleasePushes();
        await run.WaitAsync(HangGuard);

        Assert.Single(testbed.Server.Applied);
        Assert.True(Assert.Single(testbed.Simulator.Sessions).IsDisposed);
        Assert.Equal(0, testbed.Lifetime.StopApplicationCalls);
        Assert.Contains(testbed.Logger.Entries, e => e.Message == $"Worker {Testbed.WorkerId} stopped");
    }
}

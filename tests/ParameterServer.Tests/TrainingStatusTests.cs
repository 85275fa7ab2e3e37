using System.Globalization;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class TrainingStatusTests
{
    [Fact]
    public async Task GetStatus_NewRun_ReportsNothingDoneYet()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);

        var status = await server.Status.GetStatusAsync(new GetStatusRequest(), ServerHost.PushAuth); // the run folder's path needs a token

        Assert.Equal(1, status.Progress.Counters.ModelVersion);
        Assert.Equal(0, status.Progress.Counters.EnvironmentSteps);
        Assert.True(double.IsNaN(status.Progress.RecentEpisodeReturn));
        Assert.Empty(status.Progress.Workers);
        Assert.Equal(string.Empty, status.Progress.FinishedReason);
        Assert.Equal(800, status.SolveThreshold);
        Assert.Equal(Path.GetFullPath(folder.Path), status.RunDirectory);
        Assert.Null(status.Solved);
    }

    [Fact]
    public async Task GetStatus_AfterPushesOfTwoWorkers_CountsStepsEpisodesWorkersAndRecentReturn()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();

        await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "a1", "worker-a", 100, [-500.0]), ServerHost.PushAuth);
        await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 2), 1, "b1", "worker-b", 50, [-300.0, -100.0]), ServerHost.PushAuth);
        await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 3), 3, "a2", "worker-a", 20), ServerHost.PushAuth);
        var status = await server.Status.GetStatusAsync(new GetStatusRequest());
        var metrics = MetricsHistory.Read(Path.Combine(folder.Path, RunFolder.MetricsFileName));

        var counters = status.Progress.Counters;
        Assert.Equal((4L, 170L, 3L, 3L), (counters.ModelVersion, counters.EnvironmentSteps, counters.Updates, counters.Episodes));
        Assert.Equal(-300.0, status.Progress.RecentEpisodeReturn);
        Assert.Equal(["worker-a", "worker-b"], status.Progress.Workers.Select(w => w.WorkerId));
        Assert.Equal((2L, 120L), (status.Progress.Workers[0].PushesApplied, status.Progress.Workers[0].EnvironmentSteps));
        Assert.Equal((1L, 50L, 1.0), (status.Progress.Workers[1].PushesApplied, status.Progress.Workers[1].EnvironmentSteps, status.Progress.Workers[1].MeanStaleness));
        Assert.True(status.Progress.EnvironmentStepsPerSecond > 0);
        Assert.Equal(1, status.Progress.MaxStalenessSeen);

        // The training episodes reported in pushes are metrics.csv rows, numbered in order.
        Assert.Equal([1L, 2L, 3L], metrics.Episodes.Select(e => e.Episode));
        Assert.Equal([-500.0, -300.0, -100.0], metrics.Episodes.Select(e => e.Return));
        Assert.Equal([100L, 150L, 150L], metrics.Episodes.Select(e => e.EnvSteps));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(49)]
    [InlineData(-5)]
    public async Task WatchStatus_IntervalBelow50Ms_IsInvalidArgument(int intervalMs)
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);

        using var call = server.Status.WatchStatus(new WatchStatusRequest { IntervalMs = intervalMs });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("interval_ms", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchStatus_DefaultInterval_StartsWithAProgressSnapshot()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var cancel = new CancellationTokenSource(Poll.Timeout);

        using var call = server.Status.WatchStatus(new WatchStatusRequest(), cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));

        Assert.Equal(TrainingEvent.EventOneofCase.Progress, call.ResponseStream.Current.EventCase);
        Assert.Equal(1, call.ResponseStream.Current.Progress.Counters.ModelVersion);
    }

    [Fact]
    public async Task WatchStatus_PushReachesTheEvaluationInterval_StreamsProgressTheEvaluationAndSolved()
    {
        // The solve threshold is the mean the evaluator will find for version 2 (computed here with the same
        // weights and evaluation), chosen so that the start evaluation (version 1) falls short of it.
        using var learner = TestModel.Learner();
        var start = TestModel.EvaluateLocally(learner);
        var (gradients, solvedMean) = FindImprovingPush(start);

        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["Evaluation:EveryEnvSteps"] = "100",
            ["Evaluation:SolvedThreshold"] = solvedMean.ToString("R", CultureInfo.InvariantCulture),
        });
        var initial = await Poll.UntilAsync(
            async () => await server.Status.GetStatusAsync(new GetStatusRequest()), s => s.Evaluations.Count == 1, "the start evaluation");
        using var cancel = new CancellationTokenSource(Poll.Timeout);
        using var call = server.Status.WatchStatus(new WatchStatusRequest { IntervalMs = 50 }, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token)); // subscribed

        await server.Store.PushGradientsAsync(TestModel.Push(gradients, 1, "u1", environmentSteps: 100), ServerHost.PushAuth);
        var events = new List<TrainingEvent>();
        while (!events.Any(e => e.Progress?.FinishedReason == "solved"))
        {
            Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
            events.Add(call.ResponseStream.Current);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(TestModel.Push(gradients, 2, "u2"), ServerHost.PushAuth));
        var status = await server.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal(start, initial.Evaluations[0].MeanReturn);
        Assert.Contains(events, e => e.EventCase == TrainingEvent.EventOneofCase.Progress);
        var evaluation = Assert.Single(events, e => e.EventCase == TrainingEvent.EventOneofCase.Evaluation).Evaluation;
        Assert.Equal((2L, 100L, solvedMean, 1), (evaluation.ModelVersion, evaluation.EnvironmentSteps, evaluation.MeanReturn, evaluation.Episodes));
        var solved = Assert.Single(events, e => e.EventCase == TrainingEvent.EventOneofCase.Solved).Solved;
        Assert.Equal(solvedMean, solved.Threshold);
        Assert.Equal(evaluation, solved.Evaluation);
        Assert.True(events.FindIndex(e => e.Solved is not null) > events.FindIndex(e => e.Evaluation is not null));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(PushRefusal.Finished, PushRefusal.ReasonOf(refused));
        Assert.Equal("training finished: solved", refused.Status.Detail);
        Assert.Equal(2, status.Evaluations.Count);
        Assert.Equal(evaluation, status.Solved.Evaluation);
        Assert.Equal("solved", status.Progress.FinishedReason);
    }

    [Fact]
    public async Task WatchStatus_ServerStops_EndsTheStream()
    {
        using var folder = new TempDirectory();
        var server = ServerHost.Start(folder.Path);
        using var cancel = new CancellationTokenSource(Poll.Timeout);
        using var call = server.Status.WatchStatus(new WatchStatusRequest { IntervalMs = 50 }, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));

        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var ending = await Record.ExceptionAsync(async () =>
        {
            while (await call.ResponseStream.MoveNext(cancel.Token))
            {
            }
        });

        // The handler returns at once (OK); if the host tears the connection down first, the client sees the
        // reset instead. Either way the stream ended because the server stopped, not because the test gave up.
        Assert.False(cancel.IsCancellationRequested, "the stream did not end when the server stopped");
        if (ending is null)
        {
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        }
        else
        {
            Assert.Contains(Assert.IsType<RpcException>(ending).StatusCode, new[] { StatusCode.Unavailable, StatusCode.Cancelled });
        }

        await server.DisposeAsync();
    }

    /// <summary>A first push whose weights evaluate better than <paramref name="start"/> (searched over a few random gradients).</summary>
    private static (NamedTensors Gradients, double Mean) FindImprovingPush(double start)
    {
        for (var seed = 1; seed < 50; seed++)
        {
            using var candidate = TestModel.Learner();
            var gradients = TestModel.RandomGradients(candidate, 1000 + seed);
            candidate.ApplyGradients(gradients);
            var mean = TestModel.EvaluateLocally(candidate);
            if (mean > start)
            {
                return (gradients, mean);
            }
        }

        Assert.Fail("No random push improved the evaluation.");
        return default;
    }
}

using A3cGrpc.Contracts.V1;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.TestSupport;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class CheckpointResumeTests
{
    [Fact]
    public async Task Server_RestartedOnItsRunFolder_ResumesWeightsAdamCountersHistoryAndLedger()
    {
        using var folder = new TempDirectory();
        using var learner = TestModel.Learner();
        var gradients = Enumerable.Range(0, 4).Select(i => TestModel.RandomGradients(learner, 40 + i)).ToArray();

        TrainingStatusReply before;
        await using (var first = ServerHost.Start(folder.Path))
        {
            await Poll.UntilAsync(
                async () => await first.Status.GetStatusAsync(new GetStatusRequest()), s => s.Evaluations.Count == 1, "the start evaluation");
            await first.Store.PushGradientsAsync(TestModel.Push(gradients[0], 1, "u1", "worker-a", 50, [-100.0]), ServerHost.PushAuth);
            await first.Store.PushGradientsAsync(TestModel.Push(gradients[1], 2, "u2", "worker-a", 50, [-200.0, -300.0]), ServerHost.PushAuth);
            await first.Store.PushGradientsAsync(TestModel.Push(gradients[2], 3, "u3", "worker-b", 50), ServerHost.PushAuth);
            before = await first.Status.GetStatusAsync(new GetStatusRequest());
        }

        for (var i = 0; i < 3; i++)
        {
            learner.ApplyGradients(gradients[i]);
        }

        await using var second = ServerHost.Start(folder.Path);
        var description = await second.Store.DescribeModelAsync(new DescribeModelRequest());
        var pulled = await second.Store.PullParametersAsync(new PullParametersRequest());
        var after = await second.Status.GetStatusAsync(new GetStatusRequest());
        var retried = await second.Store.PushGradientsAsync(TestModel.Push(gradients[2], 3, "u3", "worker-b", 50), ServerHost.PushAuth);
        var next = await second.Store.PushGradientsAsync(TestModel.Push(gradients[3], 4, "u4", "worker-a", 10), ServerHost.PushAuth);
        var final = await second.Store.PullParametersAsync(new PullParametersRequest());
        var versions = await second.Policy.ListModelVersionsAsync(new ListModelVersionsRequest());

        // Weights and version.
        Assert.Equal(4, description.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pulled.Parameters, learner));

        // Counters and history.
        var counters = after.Progress.Counters;
        Assert.Equal((4L, 150L, 3L, 3L), (counters.ModelVersion, counters.EnvironmentSteps, counters.Updates, counters.Episodes));
        Assert.True(counters.ElapsedSeconds >= before.Progress.Counters.ElapsedSeconds);
        Assert.Equal(before.Evaluations, after.Evaluations);
        Assert.Equal(1, after.Evaluations[0].ModelVersion);
        Assert.Equal(-200.0, after.Progress.RecentEpisodeReturn);

        // The ledger: a push retried across the restart is not applied again.
        Assert.True(retried.Duplicate);
        Assert.Equal(4, retried.Version);

        // The Adam state: one more step on both sides gives the same weights only if the moments were restored.
        learner.ApplyGradients(gradients[3]);
        Assert.Equal(5, next.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(final.Parameters, learner));

        // The snapshot written with the shutdown checkpoint can be pinned.
        Assert.Contains(4L, versions.PinnableVersions);
    }

    [Fact]
    public async Task Server_Stopped_WritesCheckpointSummaryAndTheRunFolderFiles()
    {
        using var folder = new TempDirectory();
        using var learner = TestModel.Learner();
        await using (var server = ServerHost.Start(folder.Path))
        {
            await Poll.UntilAsync(
                async () => await server.Status.GetStatusAsync(new GetStatusRequest()), s => s.Evaluations.Count == 1, "the start evaluation");
            await server.Store.PushGradientsAsync(
                TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1", environmentSteps: 30, episodeReturns: [-50.0]), ServerHost.PushAuth);
        }

        var run = new RunFolder(folder.Path);
        var summary = RunSummary.Load(run.SummaryJson);
        var settings = RunSettings.Load(run.ConfigJson);
        var metrics = MetricsHistory.Read(run.MetricsCsv);

        Assert.True(File.Exists(run.Checkpoint));
        Assert.True(File.Exists(run.LearningCurvePng));
        Assert.Equal(("parameter-server", "server stopped"), (summary.Mode, summary.StopReason));
        Assert.Equal((30L, 1L, 1L), (summary.EnvSteps, summary.Episodes, summary.Updates));
        Assert.Equal(TestModel.HiddenSizes, settings.Hyperparameters.HiddenSizes);
        Assert.Equal(1, settings.Evaluation.Episodes);
        Assert.Single(metrics.Evaluations);
        Assert.Equal(-50.0, Assert.Single(metrics.Episodes).Return);
    }

    [Fact]
    public async Task Server_ResumedWithOtherSettings_KeepsTheRunsOwnSettings()
    {
        using var folder = new TempDirectory();
        await using (var first = ServerHost.Start(folder.Path))
        {
            await first.Status.GetStatusAsync(new GetStatusRequest());
        }

        await using var second = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["A3c:HiddenSizes:0"] = "32",
            ["Evaluation:SolvedThreshold"] = "123",
        });
        var description = await second.Store.DescribeModelAsync(new DescribeModelRequest());
        var status = await second.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal(TestModel.HiddenSizes, description.Hyperparameters.HiddenSizes);
        Assert.Equal(800, status.SolveThreshold);
    }

    [Fact]
    public async Task Server_PeriodicCheckpoint_IsWrittenWhileRunning()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["ParameterServer:CheckpointIntervalSeconds"] = "1",
        });
        using var learner = TestModel.Learner();
        await WaitForSnapshot(server, 1);

        await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1"), ServerHost.PushAuth);
        var versions = await WaitForSnapshot(server, 2);

        Assert.Equal([1L, 2L], versions.PinnableVersions);
    }

    [Fact]
    public async Task Server_RunFolderWithACorruptCheckpoint_RefusesToStartAndSaysWhy()
    {
        using var folder = new TempDirectory();
        await using (var first = ServerHost.Start(folder.Path))
        {
            await first.Status.GetStatusAsync(new GetStatusRequest());
        }

        var checkpoint = Path.Combine(folder.Path, RunFolder.CheckpointFileName);
        var bytes = await File.ReadAllBytesAsync(checkpoint);
        bytes[^100] ^= 0xFF;
        await File.WriteAllBytesAsync(checkpoint, bytes);

        var error = Assert.ThrowsAny<Exception>(() => ServerHost.Start(folder.Path));

        Assert.Contains("Cannot resume the run", Flatten(error), StringComparison.Ordinal);
        Assert.Contains("SHA-256", Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception exception) =>
        exception is AggregateException aggregate
            ? string.Join(" | ", aggregate.InnerExceptions.Select(Flatten))
            : exception.Message + (exception.InnerException is null ? string.Empty : " | " + Flatten(exception.InnerException));

    private static Task<ListModelVersionsResponse> WaitForSnapshot(ServerHost server, long version) =>
        Poll.UntilAsync(
            async () => await server.Policy.ListModelVersionsAsync(new ListModelVersionsRequest()),
            v => v.PinnableVersions.Contains(version),
            $"a snapshot of version {version}");
}

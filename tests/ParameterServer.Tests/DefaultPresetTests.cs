using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.TestSupport;
using Grpc.Core;
using ObservationStatistics = A3cGrpc.Learning.ObservationStatistics;

namespace A3cGrpc.ParameterServer.Tests;

/// <summary>
/// The default preset's paths through the server: hyper-parameters described to workers, observation statistics merged
/// from pushes and served with the weights, used by <c>Act</c>, kept by checkpoints; and the best policy.
/// </summary>
public sealed class DefaultPresetTests
{
    private static readonly float[] _observation = [0.3f, -0.2f, -0.98f, 0.2f, 1.5f];

    private static readonly Dictionary<string, string?> _default = new()
    {
        ["A3c:Preset"] = HyperparameterPresets.DefaultName,
        ["A3c:HiddenSizes:0"] = "16",
        ["A3c:HiddenSizes:1"] = "16",
    };

    private static A3cHyperparameters Hyperparameters()
    {
        var hyperparameters = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        hyperparameters.HiddenSizes = [16, 16];
        return hyperparameters;
    }

    private static GlobalLearner Learner()
    {
        TorchRuntime.Initialize(1);
        return new GlobalLearner(Hyperparameters(), TestModel.Seed);
    }

    private static float[] Observations(int count, int seed, float scale)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count * 5).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale))];
    }

    private static PushGradientsRequest Push(GlobalLearner learner, long baseVersion, string id, ObservationStatistics? observed, int seed)
    {
        var request = TestModel.Push(TestModel.RandomGradients(learner, seed), baseVersion, id, environmentSteps: 64);
        if (observed is not null)
        {
            request.Observed = StatisticsWire.ToProto(observed);
        }

        return request;
    }

    [Fact]
    public async Task DescribeModel_DefaultPreset_CarriesThePresetAndEveryLearningOption()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, _default);

        var description = await server.Store.DescribeModelAsync(new DescribeModelRequest());
        var received = HyperparameterWire.FromDescription(description);

        Assert.Equal(HyperparameterPresets.DefaultName, description.Hyperparameters.Preset);
        Assert.Equal(Hyperparameters().Environments, received.Environments);
        Assert.True(received.NormalizeObservations);
        Assert.Equal(Learning.PolicyMeanKind.Linear, received.PolicyMean);
        Assert.Contains(description.Parameters, p => p.Name == "log_std");
        Assert.Contains(description.Parameters, p => p.Name == "critic.0.weight");
    }

    [Fact]
    public async Task Push_ObservedStatistics_AreMergedIntoTheNextVersionsStatisticsAndServedWithItsWeights()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, _default);
        using var learner = Learner();
        var first = ObservationStatistics.FromRows(Observations(64, seed: 1, scale: 2), 5);
        var second = ObservationStatistics.FromRows(Observations(48, seed: 2, scale: 0.5f), 5);

        var initial = await server.Store.PullParametersAsync(new PullParametersRequest());
        await server.Store.PushGradientsAsync(Push(learner, 1, "u1", first, 1), ServerHost.PushAuth);
        await server.Store.PushGradientsAsync(Push(learner, 2, "u2", second, 2), ServerHost.PushAuth);
        var pulled = await server.Store.PullParametersAsync(new PullParametersRequest());

        Assert.Equal(0, initial.ObservationStatistics.Count);
        var served = StatisticsWire.FromProto(pulled.ObservationStatistics, 5, "observation_statistics");
        var expected = first.Merge(second);
        Assert.Equal(3, pulled.Version);
        Assert.Equal(112, served.Count);
        Assert.Equal(expected.Mean.ToArray(), served.Mean.ToArray());
        Assert.Equal(expected.M2.ToArray(), served.M2.ToArray());
    }

    [Fact]
    public async Task Act_NormalizingModel_EqualsALocalForwardWithTheSameWeightsAndStatistics()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, _default);
        using var learner = Learner();
        var observed = ObservationStatistics.FromRows(Observations(64, seed: 3, scale: 3), 5);
        var push = Push(learner, 1, "u1", observed, 4);
        await server.Store.PushGradientsAsync(push, ServerHost.PushAuth);
        learner.ApplyGradients(TestModel.RandomGradients(learner, 4));
        learner.MergeObservations(observed);
        using var local = new ActorCriticPolicy(learner.Model, 0);
        var expected = local.Act(_observation, deterministic: true);
        var request = new ActRequest { Deterministic = true, ModelVersion = 2 };
        request.Observation.AddRange(_observation);

        var answer = await server.Policy.ActAsync(request);

        Assert.Equal(2, answer.ModelVersion);
        TestModel.AssertClose([expected.Mu], answer.Mu, "mu");
        TestModel.AssertClose([expected.Std], answer.Sigma, "sigma");
        TestModel.AssertClose(expected.Value, answer.Value, "value");
    }

    [Fact]
    public async Task Push_NormalizingModelWithoutObservedStatistics_IsInvalidArgumentAndNothingIsApplied()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, _default);
        using var learner = Learner();

        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(Push(learner, 1, "u1", observed: null, 1), ServerHost.PushAuth));
        var tooMany = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(
                Push(learner, 1, "u2", ObservationStatistics.FromRows(Observations(65, seed: 1, scale: 1), 5), 1), ServerHost.PushAuth));
        var description = await server.Store.DescribeModelAsync(new DescribeModelRequest());

        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("observed is missing", missing.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("65 observations", tooMany.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, description.Version);
    }

    [Fact]
    public async Task Push_SeedModelWithObservedStatistics_IsInvalidArgument()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(Push(learner, 1, "u1", ObservationStatistics.FromRows(Observations(8, 1, 1), 5), 1), ServerHost.PushAuth));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("does not normalise", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_RestartedOnItsRunFolder_ServesTheSameObservationStatistics()
    {
        using var folder = new TempDirectory();
        using var learner = Learner();
        var observed = ObservationStatistics.FromRows(Observations(64, seed: 5, scale: 4), 5);
        await using (var first = ServerHost.Start(folder.Path, _default))
        {
            await first.Store.PushGradientsAsync(Push(learner, 1, "u1", observed, 1), ServerHost.PushAuth);
        }

        await using var second = ServerHost.Start(folder.Path, _default);
        var pulled = await second.Store.PullParametersAsync(new PullParametersRequest());

        var served = StatisticsWire.FromProto(pulled.ObservationStatistics, 5, "observation_statistics");
        Assert.Equal(2, pulled.Version);
        Assert.Equal(observed.Mean.ToArray(), served.Mean.ToArray());
        Assert.Equal(observed.M2.ToArray(), served.M2.ToArray());
    }

    [Fact]
    public async Task Best_AfterEvaluations_IsServedByNameNamedInTheStatusAndConfirmedWhenTheServerStops()
    {
        using var folder = new TempDirectory();
        var settings = new Dictionary<string, string?>(_default) { ["Evaluation:EveryEnvSteps"] = "64" };
        long bestVersion;
        await using (var server = ServerHost.Start(folder.Path, settings))
        {
            using var learner = Learner();
            for (var version = 1; version <= 3; version++)
            {
                await server.Store.PushGradientsAsync(
                    Push(learner, version, $"u{version}", ObservationStatistics.FromRows(Observations(64, version, 1), 5), version), ServerHost.PushAuth);
                await Poll.UntilAsync(
                    async () => await server.Status.GetStatusAsync(new GetStatusRequest()), s => s.Evaluations.Count == version + 1, "an evaluation");
            }

            var status = await server.Status.GetStatusAsync(new GetStatusRequest());
            var best = status.Evaluations.MaxBy(e => e.MeanReturn)!;
            var versions = await server.Policy.ListModelVersionsAsync(new ListModelVersionsRequest());
            var request = new ActRequest { Deterministic = true, Snapshot = "best" };
            request.Observation.AddRange(_observation);
            var answer = await server.Policy.ActAsync(request);
            var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
                await server.Policy.ActAsync(new ActRequest { Snapshot = "latest", Observation = { _observation } }));
            var both = await Assert.ThrowsAsync<RpcException>(async () =>
                await server.Policy.ActAsync(new ActRequest { Snapshot = "best", ModelVersion = 1, Observation = { _observation } }));

            bestVersion = best.ModelVersion;
            Assert.Equal(best.ModelVersion, status.Best.ModelVersion);
            Assert.Equal(best.MeanReturn, status.Best.Evaluation.MeanReturn);
            Assert.Null(status.Best.Confirmation);
            Assert.Equal(best.ModelVersion, versions.BestVersion);
            Assert.Equal(best.ModelVersion, answer.ModelVersion);
            Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
            Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        }

        var summary = RunSummary.Load(new RunFolder(folder.Path).SummaryJson);
        Assert.NotNull(summary.BestPolicy);
        Assert.Equal(bestVersion, summary.BestPolicy.ModelVersion);
        Assert.Equal(2, summary.BestPolicy.Confirmation!.Episodes); // ConfirmationEpisodes of the test servers
        Assert.True(File.Exists(new RunFolder(folder.Path).BestPolicy));
    }

    [Fact]
    public async Task ActBest_BeforeTheFirstEvaluation_IsFailedPrecondition()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>(_default) { ["Evaluation:Episodes"] = "1000" });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Policy.ActAsync(new ActRequest { Snapshot = "best", Observation = { _observation } }));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("no best policy yet", error.Status.Detail, StringComparison.Ordinal);
    }
}

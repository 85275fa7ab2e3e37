using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace A3cGrpc.ParameterServer.Tests;

/// <summary>The apply step on its own: a push lands whole (an Adam step and the merged statistics) or not at all.</summary>
public sealed class GradientApplierTests
{
    [Fact]
    public void TryApply_GoodPush_TakesTheSameAdamStepAsTheLearner_AndMergesTheStatistics()
    {
        using var applied = Learner();
        using var reference = Learner();
        var gradients = TestModel.RandomGradients(applied, seed: 5);
        var observed = Statistics(count: 20, value: 0.5);

        var refusal = new GradientApplier(applied, NullLogger.Instance).TryApply(Command(gradients, observed), environmentStepsBefore: 100);

        Assert.Null(refusal);
        reference.ApplyGradients(gradients, 100);
        TestModel.AssertEqual(reference.ExportParameters(), applied.ExportParameters());
        Assert.Equal(20, applied.Model.ObservationStatistics!.Count);
    }

    [Fact]
    public void TryApply_StatisticsThatDoNotMerge_ChangesNothing()
    {
        using var learner = Learner();
        var before = learner.ExportParameters();
        var wrongSize = new ObservationStatistics(3, [0.0, 0.0], [1.0, 1.0]);

        var refusal = new GradientApplier(learner, NullLogger.Instance).TryApply(Command(TestModel.RandomGradients(learner, 5), wrongSize), 0);

        Assert.Contains("do not merge", refusal, StringComparison.Ordinal);
        TestModel.AssertEqual(before, learner.ExportParameters());
        Assert.Equal(0, learner.Model.ObservationStatistics!.Count);
    }

    [Fact]
    public void TryApply_StepWithANonFiniteResult_IsUndone_AndTheStatisticsAreNotSet()
    {
        using var learner = Learner();
        var before = learner.ExportParameters();
        var huge = new NamedTensors(before.Select(t => new NamedTensor(t.Name, t.Shape, [.. Enumerable.Repeat(1e21f, t.Data.Length)])));

        var refusal = new GradientApplier(learner, NullLogger.Instance).TryApply(Command(huge, Statistics(20, 0.5)), 0);

        Assert.Contains("was undone and not applied", refusal, StringComparison.Ordinal);
        TestModel.AssertEqual(before, learner.ExportParameters());
        Assert.Equal(0, learner.Model.ObservationStatistics!.Count);
    }

    private static GlobalLearner Learner()
    {
        TorchRuntime.Initialize(1);
        return new GlobalLearner(new A3cHyperparameters { HiddenSizes = TestModel.HiddenSizes, NormalizeObservations = true }, TestModel.Seed);
    }

    private static ObservationStatistics Statistics(long count, double value) =>
        new(count, [.. Enumerable.Repeat(value, 5)], [.. Enumerable.Repeat(1.0, 5)]);

    private static PushCommand Command(NamedTensors gradients, ObservationStatistics observed) =>
        new("worker-1", "u1", 1, gradients, 8, [], ReturnWeights: false, observed);
}

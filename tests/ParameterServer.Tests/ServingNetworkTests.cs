using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Acting;
using A3cGrpc.ParameterServer.Tests.TestSupport;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class ServingNetworkTests
{
    private static readonly int[] _seedHiddenSizes = [512, 256];

    [Fact]
    public void Forward_SeedNetwork_MatchesActorCriticPolicyOnABatch()
    {
        using var learner = TestModel.Learner(_seedHiddenSizes);
        var weights = learner.ExportParameters();
        var network = ServingNetwork.Create(weights, learner.Hyperparameters, 7);
        var random = new Random(3);
        var observations = Enumerable.Range(0, 64 * 5).Select(_ => (float)((random.NextDouble() * 8) - 4)).ToArray();
        float[] actions = new float[64], mu = new float[64], std = new float[64], values = new float[64];
        using var policy = new ActorCriticPolicy(learner.Model, 0);
        policy.Act(observations, actions, mu, std, values, deterministic: true);
        float[] servedMu = new float[64], servedStd = new float[64], servedValues = new float[64];

        network.Forward(observations, servedMu, servedStd, servedValues);

        Assert.Equal(7, network.Version);
        TestModel.AssertClose(mu, servedMu, "mu");
        TestModel.AssertClose(std, servedStd, "std");
        TestModel.AssertClose(values, servedValues, "values");
        ServingNetwork.Verify(weights, learner.Hyperparameters);
    }

    [Fact]
    public void Verify_NetworkThatComputesSomethingElse_ThrowsNamingTheOutput()
    {
        using var learner = TestModel.Learner();
        var weights = learner.ExportParameters();
        var other = TestModel.Hyperparameters();
        other.StdEpsilon = 0.5;
        var network = ServingNetwork.Create(weights, other, 1);

        var observations = Enumerable.Range(0, 16 * 5).Select(i => (float)Math.Sin(i)).ToArray();

        var error = Assert.Throws<InvalidOperationException>(() => network.VerifyAgainst(weights, learner.Hyperparameters, observations));

        Assert.Contains("std[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WeightsOfAnotherShape_ThrowsNamingTheParameter()
    {
        using var learner = TestModel.Learner();

        var error = Assert.Throws<ArgumentException>(() =>
            ServingNetwork.Create(learner.ExportParameters(), TestModel.Hyperparameters([32, 16]), 1));

        Assert.Contains("trunk.0.weight", error.Message, StringComparison.Ordinal);
    }
}

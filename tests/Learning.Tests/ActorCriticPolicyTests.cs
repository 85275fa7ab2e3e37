using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

public sealed class ActorCriticPolicyTests
{
    private static readonly float[] _observation = [0.1f, -0.2f, 0.3f, 0.05f, -0.4f];

    public ActorCriticPolicyTests() => TorchRuntime.Initialize();

    [Fact]
    public void Act_SameSeed_ReproducesTheSameSamples()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var first = new ActorCriticPolicy(model, seed: 99);
        using var second = new ActorCriticPolicy(model, seed: 99);

        var a = Enumerable.Range(0, 5).Select(_ => first.Act(_observation).Action).ToArray();
        var b = Enumerable.Range(0, 5).Select(_ => second.Act(_observation).Action).ToArray();

        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > 1, "Successive samples should differ.");
    }

    [Fact]
    public void Reseed_SameSeedAsConstruction_RestartsTheSameStream()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var policy = new ActorCriticPolicy(model, seed: 7);
        var first = Enumerable.Range(0, 3).Select(_ => policy.Act(_observation).Action).ToArray();

        policy.Reseed(7);
        var again = Enumerable.Range(0, 3).Select(_ => policy.Act(_observation).Action).ToArray();
        policy.Reseed(8);
        var other = policy.Act(_observation).Action;

        Assert.Equal(first, again);
        Assert.NotEqual(first[0], other);
    }

    [Fact]
    public void Act_DifferentSeed_DrawsDifferentSamples()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var first = new ActorCriticPolicy(model, seed: 1);
        using var second = new ActorCriticPolicy(model, seed: 2);

        Assert.NotEqual(first.Act(_observation).Action, second.Act(_observation).Action);
    }

    [Fact]
    public void Act_Deterministic_ActionIsTheMean()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var policy = new ActorCriticPolicy(model, seed: 1);

        var decision = policy.Act(_observation, deterministic: true);

        Assert.Equal(decision.Mu, decision.Action);
    }

    [Fact]
    public void Act_Batch_WritesTheModelsHeadsRowByRow()
    {
        // Arrange
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 3);
        using var policy = new ActorCriticPolicy(model, seed: 1);
        var random = new Random(5);
        var observations = Enumerable.Range(0, 8 * 5).Select(_ => (float)random.NextDouble()).ToArray();
        var actions = new float[8];
        var mu = new float[8];
        var std = new float[8];
        var values = new float[8];

        // Act
        policy.Act(observations, actions, mu, std, values);

        // Assert
        using var scope = NewDisposeScope();
        var expected = model.forward(tensor(observations).reshape(8, 5));
        Assert.Equal(expected.Mu.data<float>().ToArray(), mu);
        Assert.Equal(expected.Std.data<float>().ToArray(), std);
        Assert.Equal(expected.Value.data<float>().ToArray(), values);
    }

    [Fact]
    public void Act_ManySamples_FollowNormalOfMuAndStd()
    {
        // 20000 copies of one observation: the sample mean is within 4 standard errors of mu and the sample
        // standard deviation within 3% of std.
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 3);
        using var policy = new ActorCriticPolicy(model, seed: 17);
        const int n = 20_000;
        var observations = Enumerable.Range(0, n).SelectMany(_ => _observation).ToArray();
        var actions = new float[n];
        var mu = new float[n];
        var std = new float[n];
        var values = new float[n];

        policy.Act(observations, actions, mu, std, values);

        var mean = actions.Average(a => (double)a);
        var deviation = Math.Sqrt(actions.Sum(a => (a - mean) * (a - mean)) / (n - 1));
        Assert.InRange(mean, mu[0] - (4 * std[0] / Math.Sqrt(n)), mu[0] + (4 * std[0] / Math.Sqrt(n)));
        Assert.InRange(deviation, 0.97 * std[0], 1.03 * std[0]);
        Assert.Contains(actions, a => a > 1f || a < -1f); // samples are not clipped
    }

    [Fact]
    public void Act_AfterWeightsChange_UsesTheNewWeights()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var policy = new ActorCriticPolicy(model, seed: 1);
        var before = policy.Act(_observation, deterministic: true);
        var oldBias = model.named_parameters().Single(p => p.name == "value.bias").parameter.data<float>()[0];

        ActorCriticTests.SetParameter(model, "value.bias", 5f);
        var after = policy.Act(_observation, deterministic: true);

        Assert.Equal(before.Value - oldBias + 5f, after.Value, 4);
    }

    [Theory]
    [InlineData(4, 1, 1, 1, 1)]
    [InlineData(5, 2, 1, 1, 1)]
    [InlineData(5, 1, 1, 1, 2)]
    [InlineData(0, 0, 0, 0, 0)]
    public void Act_WrongSpanLength_Throws(int observations, int actions, int mu, int std, int values)
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var policy = new ActorCriticPolicy(model, seed: 1);

        Assert.Throws<ArgumentException>(() =>
            policy.Act(new float[observations], new float[actions], new float[mu], new float[std], new float[values]));
    }

    [Fact]
    public void Act_NonFiniteObservation_Throws()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var policy = new ActorCriticPolicy(model, seed: 1);

        Assert.Throws<ArgumentException>(() => policy.Act([0f, float.NaN, 0f, 0f, 0f]));
    }

    [Fact]
    public void Constructor_Float64Model_Throws()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1, ScalarType.Float64);

        Assert.Throws<ArgumentException>(() => new ActorCriticPolicy(model, seed: 1));
    }

    [Theory]
    [InlineData(1.7, 1.0)]
    [InlineData(-3.0, -1.0)]
    [InlineData(0.25, 0.25)]
    [InlineData(1.0, 1.0)]
    public void ClipAction_Value_IsClampedToSeedRange(double action, double expected)
    {
        Assert.Equal(expected, ActorCriticPolicy.ClipAction(action));
    }

    [Fact]
    public void ClippedAction_SampleOutsideRange_IsClippedButActionIsNot()
    {
        var decision = new PolicyDecision(Action: 1.4f, Mu: 0.9f, Std: 0.5f, Value: 0f);

        Assert.Equal(1f, decision.ClippedAction);
        Assert.Equal(1.4f, decision.Action);
    }
}

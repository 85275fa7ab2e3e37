using TorchSharp.Modules;
using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

public sealed class AdamOptimizerTests
{
    public AdamOptimizerTests() => TorchRuntime.Initialize();

    [Fact]
    public void Step_SameGradients_BitIdenticalToTorchSharpAdam()
    {
        // Arrange: two identical models, one stepped by TorchSharp's Adam, one by ours, on the same five windows.
        var hyperparameters = new A3cHyperparameters();
        using var reference = ActorCritic.Create(hyperparameters, seed: 8);
        using var candidate = ActorCritic.Create(hyperparameters, seed: 8);
        using var torchAdam = new Adam(reference.parameters(), lr: 4e-4, beta1: 0.95, beta2: 0.999, eps: 1e-8);
        using var ourAdam = new AdamOptimizer(candidate, hyperparameters);

        // Act
        for (var i = 0; i < 5; i++)
        {
            var window = TestSupport.RandomWindow(8, seed: 30 + i);
            using (var scope = NewDisposeScope())
            {
                torchAdam.zero_grad();
                NStepLoss.Compute(reference, window, hyperparameters).Total.backward();
                torchAdam.step();
            }

            using (var scope = NewDisposeScope())
            {
                ourAdam.ZeroGrad();
                NStepLoss.Compute(candidate, window, hyperparameters).Total.backward();
                ourAdam.Step();
            }
        }

        // Assert: weights, moments and step counts.
        foreach (var ((name, expected), actual) in reference.named_parameters().Zip(candidate.parameters()))
        {
            Assert.True(expected.data<float>().ToArray().AsSpan().SequenceEqual(actual.data<float>().ToArray()), $"'{name}' differs.");
        }

        var torchStates = torchAdam.state_dict().State.Cast<Adam.State>().ToList();
        var ourStates = ourAdam.ExportState();
        for (var i = 0; i < ourStates.Count; i++)
        {
            Assert.Equal(torchStates[i].step, ourStates[i].Step);
            Assert.Equal(torchStates[i].exp_avg.data<float>().ToArray(), ourStates[i].ExpAvg);
            Assert.Equal(torchStates[i].exp_avg_sq.data<float>().ToArray(), ourStates[i].ExpAvgSq);
        }
    }

    [Fact]
    public void Step_ParameterWithoutGradient_IsSkipped()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var adam = new AdamOptimizer(model, new A3cHyperparameters());
        var valueBias = model.named_parameters().Single(p => p.name == "value.bias").parameter;
        using (no_grad())
        {
            valueBias.grad = ones_like(valueBias);
        }

        adam.Step();

        var steps = adam.ExportState().ToDictionary(s => s.Name, s => s.Step);
        Assert.Equal(1, steps["value.bias"]);
        Assert.All(steps.Where(s => s.Key != "value.bias"), s => Assert.Equal(0, s.Value));
    }

    [Fact]
    public void ZeroGrad_AfterBackward_LeavesAllGradientsZero()
    {
        var hyperparameters = new A3cHyperparameters();
        using var model = ActorCritic.Create(hyperparameters, seed: 1);
        using var adam = new AdamOptimizer(model, hyperparameters);
        using (var scope = NewDisposeScope())
        {
            NStepLoss.Compute(model, TestSupport.RandomWindow(3, seed: 1), hyperparameters).Total.backward();
        }

        adam.ZeroGrad();

        Assert.All(model.parameters(), p => Assert.All(p.grad!.data<float>().ToArray(), g => Assert.Equal(0f, g)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void LearningRate_NotPositiveFinite_Throws(double learningRate)
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var adam = new AdamOptimizer(model, new A3cHyperparameters());

        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = learningRate);
    }

    [Theory]
    [InlineData(1.0, 0.999, 1e-8)]
    [InlineData(0.9, -0.1, 1e-8)]
    [InlineData(0.9, 0.999, 0.0)]
    public void Constructor_SettingOutOfRange_Throws(double beta1, double beta2, double epsilon)
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer(model, 1e-3, beta1, beta2, epsilon));
    }
}

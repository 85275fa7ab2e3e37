using TorchSharp;
using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

public sealed class NStepLossTests
{
    public NStepLossTests() => TorchRuntime.Initialize();

    [Fact]
    public void Compute_ThreeStepWindow_EqualsSeedAlgorithmWrittenOut()
    {
        // Arrange
        var hyperparameters = new A3cHyperparameters();
        using var model = ActorCritic.Create(hyperparameters, seed: 11, ScalarType.Float64);
        var window = TestSupport.RandomWindow(3, seed: 5);

        // Act
        using var scope = NewDisposeScope();
        var result = NStepLoss.Compute(model, window, hyperparameters);

        // Assert
        var expected = SeedLoss(model, window, hyperparameters);
        Assert.Equal(expected.Total, result.Total.item<double>(), 10);
        Assert.Equal(expected.Total, result.Statistics.TotalLoss, 10);
        Assert.Equal(expected.Actor, result.Statistics.ActorLoss, 10);
        Assert.Equal(expected.Critic, result.Statistics.CriticLoss, 10);
        Assert.Equal(3, result.Statistics.Steps);
    }

    [Fact]
    public void Compute_PartialWindowAtEpisodeEnd_UsesOnlyItsTransitionsAndItsOwnBootstrap()
    {
        // NSteps is 8, but the episode ended after 3 transitions: the window is shorter and bootstraps from V(s'_3).
        var hyperparameters = new A3cHyperparameters { NSteps = 8 };
        using var model = ActorCritic.Create(hyperparameters, seed: 12, ScalarType.Float64);
        var window = TestSupport.RandomWindow(3, seed: 6);

        using var scope = NewDisposeScope();
        var result = NStepLoss.Compute(model, window, hyperparameters);

        Assert.Equal(3, result.Statistics.Steps);
        Assert.Equal(SeedLoss(model, window, hyperparameters).Total, result.Statistics.TotalLoss, 10);
    }

    [Fact]
    public void Compute_SingleTransition_IsOneStepActorCritic()
    {
        // n = 1: R = r + gamma V(s'), advantage = delta = R - V(s); total = -(lp delta + 0.01 H) + 0.5 * 0.5 (R - V)^2.
        var hyperparameters = new A3cHyperparameters();
        using var model = ActorCritic.Create(hyperparameters, seed: 13, ScalarType.Float64);
        var window = TestSupport.RandomWindow(1, seed: 7);
        using var scope = NewDisposeScope();
        var (mu, std, value) = Heads(model, window.States.ToArray(), 0);
        var nextValue = Heads(model, window.NextStates.ToArray(), 0).Value;
        var r = (double)window.Rewards[0];
        var ret = r + (0.95 * nextValue);
        var advantage = ret - value;
        var expected = -((LogProb(window.Actions[0], mu, std) * advantage) + (0.01 * Entropy(std))) + (0.5 * 0.5 * advantage * advantage);

        var result = NStepLoss.Compute(model, window, hyperparameters);

        Assert.Equal(expected, result.Statistics.TotalLoss, 10);
        Assert.Equal(advantage, result.Statistics.AdvantageMean, 10);
    }

    [Fact]
    public void Compute_Gradient_MatchesCentralFiniteDifferences()
    {
        // Arrange: float64 so that central differences are accurate to ~1e-9.
        var hyperparameters = new A3cHyperparameters();
        using var model = ActorCritic.Create(hyperparameters, seed: 21, ScalarType.Float64);
        var window = TestSupport.RandomWindow(4, seed: 9);
        (string Name, long Index)[] probes =
        [
            ("trunk.0.weight", 7), ("trunk.0.bias", 100), ("trunk.2.weight", 1234), ("trunk.2.bias", 17),
            ("mu.weight", 3), ("mu.bias", 0), ("sigma.weight", 10), ("sigma.bias", 0), ("value.weight", 5), ("value.bias", 0),
        ];

        // Act: analytic gradient by autograd.
        model.zero_grad();
        using (var scope = NewDisposeScope())
        {
            NStepLoss.Compute(model, window, hyperparameters).Total.backward();
        }

        var analytic = probes.ToDictionary(p => p, p => Element(Parameter(model, p.Name).grad!, p.Index));

        // Assert: against (L(theta + h) - L(theta - h)) / 2h for each probe. The seed's gradient is a semi-gradient:
        // the return R_i and the advantage temp_i are constants (no gradient). So the function differentiated
        // numerically is the loss with those targets frozen at their values for the unperturbed weights.
        var frozenTargets = NStepLoss.ComputeTargets(model, window, hyperparameters);
        const double h = 1e-6;
        foreach (var probe in probes)
        {
            var parameter = Parameter(model, probe.Name);
            var original = Element(parameter, probe.Index);
            SetElement(parameter, probe.Index, original + h);
            var plus = Loss(model, window, hyperparameters, frozenTargets);
            SetElement(parameter, probe.Index, original - h);
            var minus = Loss(model, window, hyperparameters, frozenTargets);
            SetElement(parameter, probe.Index, original);

            var numeric = (plus - minus) / (2 * h);
            var tolerance = 1e-6 + (1e-5 * Math.Abs(numeric));
            Assert.True(
                Math.Abs(numeric - analytic[probe]) <= tolerance,
                $"{probe.Name}[{probe.Index}]: autograd {analytic[probe]}, finite difference {numeric}.");
        }

        // The heads must really be exercised (not clamped or dead), or the check would be vacuous.
        Assert.NotEqual(0.0, analytic[("mu.bias", 0)], 6);
        Assert.NotEqual(0.0, analytic[("sigma.bias", 0)], 6);
        Assert.NotEqual(0.0, analytic[("value.bias", 0)], 6);
    }

    [Fact]
    public void ComputeTargets_ChainedWindow_AdvantagesAreReturnsMinusValues()
    {
        var hyperparameters = new A3cHyperparameters();
        using var model = ActorCritic.Create(hyperparameters, seed: 4, ScalarType.Float64);
        var window = TestSupport.RandomWindow(5, seed: 3);

        var targets = NStepLoss.ComputeTargets(model, window, hyperparameters);

        using var scope = NewDisposeScope();
        for (var i = 0; i < window.Count; i++)
        {
            Assert.Equal(targets.Returns[i] - Heads(model, window.States.ToArray(), i).Value, targets.Advantages[i], 10);
        }
    }

    [Fact]
    public void Compute_WindowSizesDifferFromModel_Throws()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        var window = TestSupport.RandomWindow(2, seed: 1, observationSize: 4);

        Assert.Throws<ArgumentException>(() => NStepLoss.Compute(model, window, new A3cHyperparameters()));
    }

    /// <summary>The seed's loop, written out in doubles from per-transition forwards.</summary>
    private static (double Total, double Actor, double Critic) SeedLoss(ActorCritic model, NStepWindow window, A3cHyperparameters h)
    {
        using var scope = NewDisposeScope();
        var n = window.Count;
        var states = window.States.ToArray();
        var nextStates = window.NextStates.ToArray();
        var r = Heads(model, nextStates, n - 1).Value; // bootstrap R = V(s'_last), no gradient
        var temp = 0.0;
        var actor = 0.0;
        var critic = 0.0;
        for (var i = n - 1; i >= 0; i--)
        {
            var (mu, std, value) = Heads(model, states, i);
            var nextValue = Heads(model, nextStates, i).Value;
            r = (h.Gamma * r) + window.Rewards[i];
            var advantage = r - value;
            critic += 0.5 * advantage * advantage;
            var delta = window.Rewards[i] + (h.Gamma * nextValue) - value;
            temp = (h.Gamma * temp) + delta;
            actor -= (LogProb(window.Actions[i], mu, std) * temp) + (h.EntropyCoefficient * Entropy(std));
        }

        return (actor + (h.CriticLossCoefficient * critic), actor, critic);
    }

    private static (double Mu, double Std, double Value) Heads(ActorCritic model, float[] rows, int row)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(rows.AsSpan(row * 5, 5).ToArray().Select(v => (double)v).ToArray()).reshape(1, 5);
        var output = model.forward(input);
        return (output.Mu.item<double>(), output.Std.item<double>(), output.Value.item<double>());
    }

    private static double LogProb(double action, double mu, double std)
    {
        var z = (action - mu) / std;
        return Math.Log((Math.Exp(-0.5 * z * z) / (std * Math.Sqrt(2.0 * Math.PI))) + 1e-6);
    }

    private static double Entropy(double std) => 0.5 * Math.Log(2.0 * Math.PI * Math.E * std * std);

    private static double Loss(ActorCritic model, NStepWindow window, A3cHyperparameters hyperparameters, NStepTargets targets)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return NStepLoss.Compute(model, window, hyperparameters, targets).Total.item<double>();
    }

    private static TorchSharp.Modules.Parameter Parameter(ActorCritic model, string name) =>
        model.named_parameters().Single(p => p.name == name).parameter;

    private static double Element(Tensor tensor, long index)
    {
        using var flat = tensor.reshape(-1);
        using var element = flat[index];
        return element.item<double>();
    }

    private static void SetElement(Tensor tensor, long index, double value)
    {
        using var noGrad = no_grad();
        using var flat = tensor.view(-1);
        using var element = flat[index];
        using Scalar scalar = value; // kept in a variable: TorchSharp does not keep temporary Scalars alive
        element.fill_(scalar);
    }
}

using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

/// <summary>The math of each learning option of <see cref="A3cHyperparameters"/>, against values written out by hand.</summary>
public sealed class LearningOptionsTests
{
    public LearningOptionsTests() => TorchRuntime.Initialize();

    private static A3cHyperparameters Default(Action<A3cHyperparameters>? change = null)
    {
        var hyperparameters = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        hyperparameters.HiddenSizes = [8, 8];
        change?.Invoke(hyperparameters);
        return hyperparameters;
    }

    private static (double[] Mu, double[] Std, double[] Values) Heads(ActorCritic model, ReadOnlySpan<float> rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var n = rows.Length / model.ObservationSize;
        var input = tensor(rows.ToArray().Select(v => (double)v).ToArray(), [n, model.ObservationSize], ScalarType.Float64);
        var output = model.forward(input);
        return (output.Mu.data<double>().ToArray(), output.Std.data<double>().ToArray(), output.Value.data<double>().ToArray());
    }

    /// <summary>The loss of one window written out: GAE advantages, means or sums.</summary>
    private static double ReferenceLoss(ActorCritic model, NStepWindow window, A3cHyperparameters h)
    {
        var n = window.Count;
        var (mu, std, values) = Heads(model, window.States);
        var nextValues = Heads(model, window.NextStates).Values;
        var advantages = new double[n];
        var returns = new double[n];
        var running = 0.0;
        var bootstrap = nextValues[n - 1];
        var seedReturn = bootstrap;
        for (var i = n - 1; i >= 0; i--)
        {
            var reward = window.Rewards[i];
            var delta = reward + (h.Gamma * nextValues[i]) - values[i];
            running = delta + (h.Gamma * h.GaeLambda * running);
            advantages[i] = running;
            seedReturn = reward + (h.Gamma * seedReturn);
            returns[i] = h.GaeLambda < 1 ? running + values[i] : seedReturn;
        }

        var weights = advantages;
        double actor = 0, critic = 0;
        for (var i = 0; i < n; i++)
        {
            var z = (window.Actions[i] - mu[i]) / std[i];
            var logProb = (-0.5 * z * z) - Math.Log(std[i]) - (0.5 * Math.Log(2 * Math.PI));
            var entropy = 0.5 * Math.Log(2 * Math.PI * Math.E * std[i] * std[i]);
            actor -= (logProb * weights[i]) + (h.EntropyCoefficient * entropy);
            critic += 0.5 * (returns[i] - values[i]) * (returns[i] - values[i]);
        }

        var reduction = h.LossReduction == LossReduction.Mean ? 1.0 / n : 1.0;
        return reduction * (actor + (h.CriticLossCoefficient * critic));
    }

    public static TheoryData<string> Variants() => ["default", "sums", "lambda-one", "entropy"];

    private static A3cHyperparameters Variant(string name) => name switch
    {
        "default" => Default(),
        "sums" => Default(h => h.LossReduction = LossReduction.Sum),
        "lambda-one" => Default(h => h.GaeLambda = 1.0),
        "entropy" => Default(h => h.EntropyCoefficient = 0.05),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Compute_Option_EqualsTheLossWrittenOut(string variant)
    {
        var hyperparameters = Variant(variant);
        using var model = ActorCritic.Create(hyperparameters, seed: 3, ScalarType.Float64);
        var window = TestSupport.RandomWindow(8, seed: 4);

        using var scope = NewDisposeScope();
        var result = NStepLoss.Compute(model, window, hyperparameters);

        Assert.Equal(ReferenceLoss(model, window, hyperparameters), result.Statistics.TotalLoss, 10);
    }

    [Fact]
    public void Compute_MeanBoundPenalty_AddsCTimesTheSquaredExcessOfTheMeanOverTheBounds()
    {
        var with = Default(h => h.MeanBoundPenalty = 2.0);
        var without = Default(h => h.MeanBoundPenalty = 0.0);
        using var model = ActorCritic.Create(with, seed: 3, ScalarType.Float64);
        var bias = model.named_parameters().Single(p => p.name == "mu.bias").parameter;
        using (no_grad())
        {
            bias.fill_(1.5); // every mean about 1.5: 0.5 beyond the upper bound
        }

        var window = TestSupport.RandomWindow(8, seed: 4);
        using var scope = NewDisposeScope();
        var mu = Heads(model, window.States).Mu;

        var penalized = NStepLoss.Compute(model, window, with).Statistics.TotalLoss;
        var plain = NStepLoss.Compute(model, window, without).Statistics.TotalLoss;

        var expected = 2.0 * mu.Select(m => Math.Pow(Math.Max(m - 1, 0), 2) + Math.Pow(Math.Max(-1 - m, 0), 2)).Average();
        Assert.True(expected > 0.1);
        Assert.Equal(expected, penalized - plain, 9);
    }

    [Fact]
    public void Compute_MeanReduction_IsTheSumDividedByTheTransitionsAndSoIsItsGradient()
    {
        var mean = Default();
        var sum = Default(h => h.LossReduction = LossReduction.Sum);
        var windows = new[] { TestSupport.RandomWindow(8, seed: 5), TestSupport.RandomWindow(8, seed: 6) };
        using var meanWorker = new GradientLearner(mean, seed: 1);
        using var sumWorker = new GradientLearner(sum, seed: 1);

        var meanGradients = meanWorker.CreateGradientBuffers();
        var sumGradients = sumWorker.CreateGradientBuffers();
        var meanLoss = meanWorker.ComputeGradientsInto(windows, meanGradients);
        var sumLoss = sumWorker.ComputeGradientsInto(windows, sumGradients);

        Assert.Equal(sumLoss.TotalLoss / 16, meanLoss.TotalLoss, 5);
        foreach (var tensor in sumGradients)
        {
            var expected = tensor.Data.Select(g => g / 16).ToArray();
            var actual = meanGradients[tensor.Name].Data;
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], actual[i], 1e-6f);
            }
        }
    }

    [Fact]
    public void LogProbability_NoEpsilon_IsTheExactLogDensityEvenFarInTheTails()
    {
        using var scope = NewDisposeScope();
        var actions = tensor(new[] { 0.3, 40.0 }, [2, 1], ScalarType.Float64);
        var mu = tensor(new[] { 0.1, 0.0 }, [2, 1], ScalarType.Float64);
        var std = tensor(new[] { 0.5, 0.1 }, [2, 1], ScalarType.Float64);

        var logProb = GaussianPolicy.LogProbability(actions, mu, std, densityEpsilon: 0).data<double>().ToArray();

        double Exact(double a, double m, double s) => (-0.5 * ((a - m) / s) * ((a - m) / s)) - Math.Log(s) - (0.5 * Math.Log(2 * Math.PI));
        Assert.Equal(Exact(0.3, 0.1, 0.5), logProb[0], 12);
        Assert.Equal(Exact(40.0, 0.0, 0.1), logProb[1], 9); // about -80,000: the density itself underflows to 0
    }

    [Fact]
    public void Forward_LinearMean_HasAGradientBeyondTheActionBounds()
    {
        // The seed's clamp(2 tanh(z)) is flat once |2 tanh(z)| > 1; the unsquashed mean never is.
        var hyperparameters = Default();
        using var model = ActorCritic.Create(hyperparameters, seed: 5);
        using var scope = NewDisposeScope();
        var bias = model.named_parameters().Single(p => p.name == "mu.bias").parameter;
        using (no_grad())
        {
            bias.fill_(5.0);
        }

        var output = model.forward(zeros([1, 5]));
        output.Mu.sum().backward();

        Assert.True(output.Mu.item<float>() > 4.9f);
        Assert.Equal(1f, bias.grad!.item<float>(), 5);
    }

    [Fact]
    public void Forward_ClampedTanhMean_HasNoGradientBeyondTheBounds()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters { HiddenSizes = [8] }, seed: 5);
        using var scope = NewDisposeScope();
        var bias = model.named_parameters().Single(p => p.name == "mu.bias").parameter;
        using (no_grad())
        {
            bias.fill_(5.0);
        }

        var output = model.forward(zeros([1, 5]));
        output.Mu.sum().backward();

        Assert.Equal(1f, output.Mu.item<float>());
        Assert.Equal(0f, bias.grad!.item<float>());
    }

    [Fact]
    public void Forward_StateIndependentStd_IsExpOfTheClampedLogStdForEveryRow()
    {
        var hyperparameters = Default(h =>
        {
            h.InitialLogStd = -0.5;
            h.MinLogStd = -1.0;
            h.MaxLogStd = 0.0;
        });
        using var model = ActorCritic.Create(hyperparameters, seed: 6);
        using var scope = NewDisposeScope();
        var logStd = model.named_parameters().Single(p => p.name == "log_std").parameter;
        var rows = TestSupport.RandomWindow(4, seed: 1).States.ToArray();

        var initial = model.forward(tensor(rows, [4, 5])).Std.data<float>().ToArray();
        using (no_grad())
        {
            logStd.fill_(-3.0);
        }

        var clamped = model.forward(tensor(rows, [4, 5])).Std.data<float>().ToArray();

        Assert.All(initial, s => Assert.Equal(MathF.Exp(-0.5f), s, 6));
        Assert.All(clamped, s => Assert.Equal(MathF.Exp(-1.0f), s, 6));
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("sigma.", StringComparison.Ordinal));
    }

    [Fact]
    public void Forward_SeparateCritic_ValueHasItsOwnTrunkAndTheActorLossDoesNotReachIt()
    {
        var hyperparameters = Default();
        using var model = ActorCritic.Create(hyperparameters, seed: 7);
        using var scope = NewDisposeScope();
        var names = model.named_parameters().Select(p => p.name).ToArray();

        var output = model.forward(tensor(TestSupport.RandomWindow(3, seed: 2).States.ToArray(), [3, 5]));
        output.Mu.sum().backward();

        Assert.Equal(
            ["log_std", "trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias", "mu.weight", "mu.bias",
             "critic.0.weight", "critic.0.bias", "critic.2.weight", "critic.2.bias", "value.weight", "value.bias"],
            names);
        foreach (var (name, parameter) in model.named_parameters())
        {
            using var grad = parameter.grad;
            var touched = grad is not null && grad.abs().sum().item<float>() > 0;
            Assert.Equal(name.StartsWith("trunk.", StringComparison.Ordinal) || name.StartsWith("mu.", StringComparison.Ordinal), touched);
        }
    }

    [Fact]
    public void Forward_TanhUnits_HiddenOutputsAreTanhOfTheLayer()
    {
        var hyperparameters = Default(h =>
        {
            h.HiddenSizes = [4];
            h.SeparateCritic = false;
            h.NormalizeObservations = false;
        });
        using var model = ActorCritic.Create(hyperparameters, seed: 8, ScalarType.Float64);
        using var scope = NewDisposeScope();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var x = tensor(new[] { 0.5, -1.0, 0.25, 2.0, -0.75 }, [1, 5], ScalarType.Float64);

        var value = model.forward(x).Value.item<double>();

        var hidden = parameters["trunk.0.weight"].matmul(x.t()).squeeze(1).add(parameters["trunk.0.bias"]).tanh();
        var expected = parameters["value.weight"].matmul(hidden).add(parameters["value.bias"]).item<double>();
        Assert.Equal(expected, value, 12);
    }

    [Fact]
    public void Create_OrthogonalInitialization_WeightsAreScaledOrthogonalAndBiasesZero()
    {
        using var model = ActorCritic.Create(Default(h => h.HiddenSizes = [16, 8]), seed: 9, ScalarType.Float64);
        using var scope = NewDisposeScope();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        void AssertOrthogonal(string name, double gain)
        {
            var w = parameters[name];
            var rows = w.shape[0];
            var columns = w.shape[1];
            // Orthonormal columns when tall (W^T W = gain^2 I), orthonormal rows when wide (W W^T = gain^2 I).
            var product = rows >= columns ? w.t().matmul(w) : w.matmul(w.t());
            var identity = eye(Math.Min(rows, columns), dtype: ScalarType.Float64).mul(gain * gain);
            Assert.True(product.sub(identity).abs().max().item<double>() < 1e-9, $"{name} is not {gain} x orthogonal.");
        }

        AssertOrthogonal("trunk.0.weight", Math.Sqrt(2)); // 16 x 5, tall
        AssertOrthogonal("trunk.2.weight", Math.Sqrt(2)); // 8 x 16, wide
        AssertOrthogonal("critic.2.weight", Math.Sqrt(2));
        AssertOrthogonal("mu.weight", 0.01);
        AssertOrthogonal("value.weight", 1.0);
        Assert.All(parameters.Where(p => p.Key.EndsWith(".bias", StringComparison.Ordinal)), p => Assert.Equal(0.0, p.Value.abs().sum().item<double>()));
        using var again = ActorCritic.Create(Default(h => h.HiddenSizes = [16, 8]), seed: 9, ScalarType.Float64);
        Assert.Equal(0.0, again.named_parameters().Single(p => p.name == "trunk.0.weight").parameter.sub(parameters["trunk.0.weight"]).abs().max().item<double>());
    }

    [Fact]
    public void Forward_NormalizedObservations_EqualTheUnnormalizedNetworkOnNormalizedInput()
    {
        var normalizing = Default();
        var plain = Default(h => h.NormalizeObservations = false);
        using var model = ActorCritic.Create(normalizing, seed: 10);
        using var reference = ActorCritic.Create(plain, seed: 10);
        var seen = TestSupport.RandomWindow(32, seed: 3).States.ToArray().Select(v => (v * 3) + 1).ToArray();
        var statistics = ObservationStatistics.FromRows(seen, 5);
        model.SetObservationStatistics(statistics);
        var raw = TestSupport.RandomWindow(6, seed: 4).States.ToArray().Select(v => v * 20).ToArray(); // some reach the clip
        var normalized = new float[raw.Length];
        statistics.Normalize(raw, normalized, normalizing.ObservationClip);
        using var scope = NewDisposeScope();

        var actual = model.forward(tensor(raw, [6, 5]));
        var expected = reference.forward(tensor(normalized, [6, 5]));

        Assert.True(normalized.Any(v => Math.Abs(v) == 10f), "No input reached the clip.");
        Assert.Equal(expected.Mu.data<float>().ToArray(), actual.Mu.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(expected.Value.data<float>().ToArray(), actual.Value.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Same(statistics, model.ObservationStatistics);
    }

    [Fact]
    public void SetObservationStatistics_ModelThatDoesNotNormalize_Throws()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters { HiddenSizes = [8] }, seed: 1);

        Assert.Throws<InvalidOperationException>(() => model.SetObservationStatistics(ObservationStatistics.Empty(5)));
    }

    [Fact]
    public void Update_GradientAboveTheLimit_IsScaledToTheLimitBeforeTheStep()
    {
        // With the norm clipped to c, the step equals the step of the gradient scaled by c / norm.
        var clipped = Default(h => h.MaxGradientNorm = 1e-3);
        using var learner = new GlobalLearner(clipped, seed: 2);
        using var reference = new GlobalLearner(Default(h => h.MaxGradientNorm = 0), seed: 2);
        using var worker = new GradientLearner(Default(), seed: 2);
        var gradients = worker.ComputeGradients(TestSupport.RandomWindow(8, seed: 9));
        var norm = gradients.L2Norm();
        var scaled = new NamedTensors(gradients.Select(t => new NamedTensor(t.Name, t.Shape, [.. t.Data.Select(g => (float)(g * 1e-3 / (norm + 1e-6)))])));

        var reported = learner.ApplyGradients(gradients).GradientNorm;
        reference.ApplyGradients(scaled);

        Assert.Equal(norm, reported, 6);
        foreach (var tensor in learner.ExportParameters())
        {
            var expected = reference.ExportParameters()[tensor.Name].Data;
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], tensor.Data[i], 1e-6f);
            }
        }
    }

    [Theory]
    [InlineData(0, 1e-3)]
    [InlineData(500, 5.5e-4)]
    [InlineData(1000, 1e-4)]
    [InlineData(5000, 1e-4)]
    public void LearningRateAt_LinearDecay_FallsToTheFinalFractionAndStays(long steps, double expected)
    {
        var hyperparameters = new A3cHyperparameters { LearningRate = 1e-3, LearningRateDecaySteps = 1000, FinalLearningRateFraction = 0.1 };

        Assert.Equal(expected, hyperparameters.LearningRateAt(steps), 12);
    }

    [Fact]
    public void ApplyGradients_Decay_UsesTheScheduledRateForTheStep()
    {
        var hyperparameters = Default(h =>
        {
            h.LearningRate = 1e-3;
            h.LearningRateDecaySteps = 100;
            h.FinalLearningRateFraction = 0.5;
        });
        using var learner = new GlobalLearner(hyperparameters, seed: 1);
        using var worker = new GradientLearner(hyperparameters, seed: 1);

        learner.ApplyGradients(worker.ComputeGradients(TestSupport.RandomWindow(4, seed: 1)), environmentSteps: 50);

        Assert.Equal(7.5e-4, learner.Optimizer.LearningRate, 12);
    }

    [Theory]
    [InlineData(0.0, -0.69314718055994531)]
    [InlineData(-1.0, -1.8410216450092636)]
    [InlineData(2.0, -0.023012909328963493)]
    [InlineData(-40.0, -804.60844201377)]
    [InlineData(9.0, -1.1285884059538405e-19)]
    public void LogNormalCdf_AnyArgument_IsLogPhiWithAFiniteGradient(double x, double expected)
    {
        using var scope = NewDisposeScope();
        var input = tensor(new[] { x }, ScalarType.Float64).requires_grad_();

        var value = GaussianPolicy.LogNormalCdf(input);
        value.sum().backward();

        Assert.Equal(expected, value.item<double>(), Math.Max(1e-12, Math.Abs(expected) * 1e-10));
        Assert.True(double.IsFinite(input.grad!.item<double>()));
    }

    [Fact]
    public void ClippedLogProbability_SamplesInsideAndBeyondTheBounds_AreTheDensityOrTheTailsLogProbability()
    {
        using var scope = NewDisposeScope();
        var actions = tensor(new[] { 0.2, 1.7, -3.0 }, [3, 1], ScalarType.Float64);
        var mu = tensor(new[] { 0.1, 1.2, 0.5 }, [3, 1], ScalarType.Float64);
        var std = tensor(new[] { 0.5, 0.4, 2.0 }, [3, 1], ScalarType.Float64);

        var logProb = GaussianPolicy.ClippedLogProbability(actions, mu, std, -1.0, 1.0).data<double>().ToArray();

        Assert.Equal((-0.5 * Math.Pow((0.2 - 0.1) / 0.5, 2)) - Math.Log(0.5) - (0.5 * Math.Log(2 * Math.PI)), logProb[0], 12);
        Assert.Equal(Math.Log(Phi((1.2 - 1.0) / 0.4)), logProb[1], 10); // P(sample >= 1)
        Assert.Equal(Math.Log(Phi((-1.0 - 0.5) / 2.0)), logProb[2], 10); // P(sample <= -1)
    }

    [Fact]
    public void ClippedLogProbability_MeanFarBeyondTheBound_NoLongerPushesItOut()
    {
        // With the density, a sample beyond the bound with a positive advantage pulls mu towards it without end; with the
        // clipped tail's probability, the pull fades as the tail's mass nears one.
        using var scope = NewDisposeScope();
        var mu = tensor(new[] { 4.0 }, [1, 1], ScalarType.Float64).requires_grad_();
        var std = tensor(new[] { 0.5 }, [1, 1], ScalarType.Float64);
        var sample = tensor(new[] { 4.5 }, [1, 1], ScalarType.Float64);

        GaussianPolicy.ClippedLogProbability(sample, mu, std, -1, 1).sum().backward();
        var clippedPull = mu.grad!.item<double>();
        mu.grad!.zero_();
        GaussianPolicy.LogProbability(sample, mu, std, 0).sum().backward();
        var densityPull = mu.grad!.item<double>();

        Assert.Equal(2.0, densityPull, 9); // (a - mu) / sigma^2
        Assert.InRange(clippedPull, 1e-9, 1e-7); // phi(6) / Phi(6) / sigma = 1.2e-8
    }

    private static double Phi(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>erf by its Taylor series (enough terms for |x| &lt; 3).</summary>
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (var n = 0; n < 200; n++)
        {
            sum += term / ((2 * n) + 1);
            term *= -x * x / (n + 1);
        }

        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}

using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;

namespace A3cGrpc.ParameterServer.Tests.TestSupport;

/// <summary>The local twins of the server's model: the same hyper-parameters and seed, and helpers for gradients.</summary>
public static class TestModel
{
    /// <summary>The small network the tests use.</summary>
    public static readonly int[] HiddenSizes = [16, 16];

    /// <summary>The server's default seed.</summary>
    public const int Seed = 1;

    /// <summary>The hyper-parameters of a test server (defaults with the small network).</summary>
    public static A3cHyperparameters Hyperparameters(int[]? hiddenSizes = null) =>
        new() { HiddenSizes = hiddenSizes ?? HiddenSizes };

    /// <summary>A learner equal to a new test server's global learner.</summary>
    public static GlobalLearner Learner(int[]? hiddenSizes = null)
    {
        TorchRuntime.Initialize(1);
        return new GlobalLearner(Hyperparameters(hiddenSizes), Seed);
    }

    /// <summary>Random gradients with the learner's layout, reproducible from <paramref name="seed"/>.</summary>
    public static NamedTensors RandomGradients(GlobalLearner learner, int seed, float scale = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var random = new Random(seed);
        var layout = learner.ExportParameters();
        return new NamedTensors(layout.Select(t => new A3cGrpc.Learning.NamedTensor(
            t.Name, t.Shape, [.. Enumerable.Range(0, t.Data.Length).Select(_ => scale * ((2 * random.NextSingle()) - 1))])));
    }

    /// <summary>A push of <paramref name="gradients"/> on <paramref name="baseVersion"/>.</summary>
    public static PushGradientsRequest Push(
        NamedTensors gradients, long baseVersion, string updateId, string workerId = "worker-1", long environmentSteps = 8,
        IEnumerable<double>? episodeReturns = null, TensorEncoding encoding = TensorEncoding.Float32)
    {
        var request = new PushGradientsRequest
        {
            WorkerId = workerId,
            UpdateId = updateId,
            BaseVersion = baseVersion,
            Gradients = TensorWire.Encode(gradients, baseVersion, encoding),
            // One environment per step (at least one): within the server's rule of at most environments x n steps.
            Statistics = new RolloutStatistics { EnvironmentSteps = environmentSteps, Environments = (int)Math.Clamp(environmentSteps, 1, 4096), RewardSum = -1.5 },
        };
        request.Statistics.EpisodeReturns.AddRange(episodeReturns ?? []);
        return request;
    }

    /// <summary>Decodes pulled weights into a fresh copy of <paramref name="learner"/>'s layout.</summary>
    public static NamedTensors Decode(TensorSet set, GlobalLearner learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var weights = learner.ExportParameters();
        TensorWire.DecodeInto(set, weights, "parameters");
        return weights;
    }

    /// <summary>Asserts that two weight sets are exactly equal, tensor by tensor.</summary>
    public static void AssertEqual(NamedTensors expected, NamedTensors actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach (var tensor in expected)
        {
            Assert.Equal(tensor.Shape, actual[tensor.Name].Shape);
            Assert.True(tensor.Data.AsSpan().SequenceEqual(actual[tensor.Name].Data), $"Tensor {tensor.Name} differs.");
        }
    }

    /// <summary>
    /// The policy service computes the network's forward pass in managed code: equal to the learning core's to float32
    /// rounding (a different order of summation), which this tolerance covers.
    /// </summary>
    public const double ForwardTolerance = 1e-5;

    /// <summary>Asserts that the server's output equals the local forward pass's to <see cref="ForwardTolerance"/>.</summary>
    public static void AssertClose(float expected, float actual, string what = "value") =>
        Assert.True(
            Math.Abs(expected - actual) <= ForwardTolerance * (1 + Math.Abs(expected)),
            $"{what}: expected {expected}, got {actual}");

    /// <summary>Element-wise <see cref="AssertClose(float, float, string)"/>.</summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what = "values")
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertClose(expected[i], actual[i], $"{what}[{i}]");
        }
    }

    /// <summary>True when two weight sets are exactly equal.</summary>
    public static bool AreEqual(NamedTensors expected, NamedTensors actual) =>
        expected.All(t => actual.TryGet(t.Name, out var other) && t.Data.AsSpan().SequenceEqual(other.Data));

    /// <summary>The server's evaluation (mean action, its own environments) of <paramref name="learner"/>'s weights, run locally.</summary>
    public static double EvaluateLocally(GlobalLearner learner, int episodes = 1)
    {
        ArgumentNullException.ThrowIfNull(learner);
        using var policy = new ActorCriticPolicy(learner.Model, 0);
        var evaluator = new PolicyEvaluator(new EvaluationOptions { Episodes = episodes });
        return evaluator.Evaluate(new MeanActionPolicy(policy)).Mean;
    }
}

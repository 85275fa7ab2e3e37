using System.Buffers;
using System.Numerics.Tensors;
using A3cGrpc.Learning;

namespace A3cGrpc.ParameterServer.Acting;

/// <summary>
/// The actor-critic's forward pass for serving, in managed code over one version's immutable weights and observation
/// statistics: the same function as <see cref="ActorCritic.forward"/> to float32 rounding (observations normalised
/// and clipped when the model normalises them; trunks of Linear + ReLU or tanh layers; a shared or separate critic
/// trunk; <c>mu = clamp(MuScale * tanh(.), ActionLow, ActionHigh)</c> or unsquashed; <c>std = softplus(.) +
/// StdEpsilon</c> or <c>exp(clamp(log_std))</c>; <c>V</c> linear).
/// </summary>
/// <remarks>
/// Why not TorchSharp here: a batch-1 forward costs ~50 µs in a hot loop, but 160-250 µs on a request thread that was
/// idle between calls (cold LibTorch dispatcher code), while this costs ~20 µs either way. It is immutable, so any
/// number of requests use it at once without a lock. <see cref="Verify"/> checks it against the learning core's
/// <see cref="ActorCriticPolicy"/> at start-up, so a change of the network definition cannot go unnoticed.
/// </remarks>
public sealed class ServingNetwork
{
    private readonly Layer[] _trunk;
    private readonly Layer[]? _criticTrunk;
    private readonly Layer _mu;
    private readonly Layer? _sigma;
    private readonly float[]? _std;
    private readonly Layer _value;
    private readonly ObservationStatistics? _statistics;
    private readonly A3cHyperparameters _hyper;
    private readonly int _maxWidth;

    private ServingNetwork(
        long version, Layer[] trunk, Layer[]? criticTrunk, Layer mu, Layer? sigma, float[]? std, Layer value, ObservationStatistics? statistics, A3cHyperparameters hyper)
    {
        Version = version;
        _trunk = trunk;
        _criticTrunk = criticTrunk;
        _mu = mu;
        _sigma = sigma;
        _std = std;
        _value = value;
        _statistics = statistics;
        _hyper = hyper;
        ObservationSize = hyper.ObservationSize;
        ActionSize = hyper.ActionSize;
        _maxWidth = Math.Max(ObservationSize, trunk.Max(l => l.Outputs));
    }

    /// <summary>The model version of the weights.</summary>
    public long Version { get; }

    /// <summary>Width of one observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Width of one action.</summary>
    public int ActionSize { get; }

    /// <summary>
    /// A network over <paramref name="weights"/> (by the learning core's names), which must not change afterwards, and the
    /// version's <paramref name="statistics"/> (required when the model normalises observations).
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is missing or has the wrong shape, or the statistics are missing or of another width.</exception>
    public static ServingNetwork Create(NamedTensors weights, A3cHyperparameters hyperparameters, long version, ObservationStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        if (hyperparameters.NormalizeObservations && (statistics is null || statistics.Size != hyperparameters.ObservationSize))
        {
            throw new ArgumentException(
                $"The model normalises observations: the serving network needs statistics of {hyperparameters.ObservationSize} values.", nameof(statistics));
        }

        var trunk = Trunk(weights, "trunk", hyperparameters);
        var width = hyperparameters.EffectiveHiddenSizes[^1];
        Layer? sigma = null;
        float[]? std = null;
        if (hyperparameters.PolicyStd == PolicyStdKind.SoftplusHead)
        {
            sigma = Layer.From(weights, "sigma", width, hyperparameters.ActionSize);
        }
        else
        {
            // State-independent: sigma = exp(clamp(log_std)), the same for every observation.
            var logStd = Layer.Require(weights, "log_std", [hyperparameters.ActionSize]);
            std = [.. logStd.Select(v => MathF.Exp(Math.Clamp(v, (float)hyperparameters.MinLogStd, (float)hyperparameters.MaxLogStd)))];
        }

        return new ServingNetwork(
            version,
            trunk,
            hyperparameters.SeparateCritic ? Trunk(weights, "critic", hyperparameters) : null,
            Layer.From(weights, "mu", width, hyperparameters.ActionSize),
            sigma,
            std,
            Layer.From(weights, "value", width, 1),
            hyperparameters.NormalizeObservations ? statistics : null,
            hyperparameters);
    }

    /// <summary>
    /// Runs B raw observations (B x ObservationSize, finite) and writes B x ActionSize means and standard deviations and
    /// B values.
    /// </summary>
    public void Forward(ReadOnlySpan<float> observations, Span<float> mu, Span<float> std, Span<float> values)
    {
        var batch = observations.Length / ObservationSize;
        if (batch * ObservationSize != observations.Length || mu.Length != batch * ActionSize
            || std.Length != batch * ActionSize || values.Length != batch)
        {
            throw new ArgumentException($"Expected B x {ObservationSize} observations with B x {ActionSize} outputs and B values.", nameof(observations));
        }

        var scratch = ArrayPool<float>.Shared.Rent(3 * batch * _maxWidth);
        try
        {
            var input = scratch.AsSpan(0, batch * ObservationSize);
            if (_statistics is not null)
            {
                _statistics.Normalize(observations, input, _hyper.ObservationClip);
            }
            else
            {
                observations.CopyTo(input);
            }

            var buffers = scratch.AsSpan(batch * _maxWidth, 2 * batch * _maxWidth);
            var features = RunTrunk(_trunk, input, buffers, batch);
            _mu.Apply(features, mu, batch);
            if (_hyper.PolicyMean == PolicyMeanKind.ClampedTanh)
            {
                TensorPrimitives.Tanh(mu, mu);
                TensorPrimitives.Multiply(mu, (float)_hyper.MuScale, mu);
                TensorPrimitives.Max(mu, (float)_hyper.ActionLow, mu);
                TensorPrimitives.Min(mu, (float)_hyper.ActionHigh, mu);
            }

            if (_sigma is not null)
            {
                _sigma.Apply(features, std, batch);
                var epsilon = (float)_hyper.StdEpsilon;
                for (var i = 0; i < std.Length; i++)
                {
                    // softplus(x) = max(x, 0) + log1p(exp(-|x|)), as ActorCritic computes it.
                    var x = std[i];
                    std[i] = MathF.Max(x, 0f) + (float)Math.Log(1.0 + Math.Exp(-Math.Abs(x))) + epsilon;
                }
            }
            else
            {
                for (var r = 0; r < batch; r++)
                {
                    _std.CopyTo(std.Slice(r * ActionSize, ActionSize));
                }
            }

            if (_criticTrunk is not null)
            {
                features = RunTrunk(_criticTrunk, input, buffers, batch);
            }

            _value.Apply(features, values, batch);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static Layer[] Trunk(NamedTensors weights, string name, A3cHyperparameters hyperparameters)
    {
        var hidden = hyperparameters.EffectiveHiddenSizes;
        var trunk = new Layer[hidden.Count];
        var width = hyperparameters.ObservationSize;
        for (var i = 0; i < hidden.Count; i++)
        {
            trunk[i] = Layer.From(weights, $"{name}.{2 * i}", width, hidden[i]);
            width = hidden[i];
        }

        return trunk;
    }

    /// <summary>The trunk's output for <paramref name="input"/>, computed in <paramref name="buffers"/> (two halves used in turn).</summary>
    private Span<float> RunTrunk(Layer[] trunk, Span<float> input, Span<float> buffers, int batch)
    {
        var current = input;
        var half = buffers.Length / 2;
        var next = buffers[..half];
        var spare = buffers[half..];
        foreach (var layer in trunk)
        {
            var output = next[..(batch * layer.Outputs)];
            layer.Apply(current, output, batch);
            if (_hyper.Activation == HiddenActivation.Tanh)
            {
                TensorPrimitives.Tanh(output, output);
            }
            else
            {
                TensorPrimitives.Max(output, 0f, output);
            }

            current = output;
            var swap = next;
            next = spare;
            spare = swap;
        }

        return current;
    }

    /// <summary>
    /// Checks the serving forward pass against the learning core: over <paramref name="weights"/> (and, when the model
    /// normalises observations, a fixed set of non-trivial statistics), <see cref="ActorCriticPolicy"/> and this network
    /// must give the same mu, std and value (to float32 rounding) on a fixed set of observations.
    /// </summary>
    /// <exception cref="InvalidOperationException">They disagree: the serving forward no longer matches <see cref="ActorCritic"/>.</exception>
    public static void Verify(NamedTensors weights, A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        const int batch = 16;
        var size = hyperparameters.ObservationSize;
        var random = new Random(12345);
        var observations = new float[batch * size];
        for (var i = 0; i < observations.Length; i++)
        {
            observations[i] = (float)((random.NextDouble() * 6.0) - 3.0);
        }

        // Statistics from other observations (some normalised inputs then reach the clip).
        var seen = new float[64 * size];
        for (var i = 0; i < seen.Length; i++)
        {
            seen[i] = (float)((random.NextDouble() * 0.6) - 0.1);
        }

        var statistics = hyperparameters.NormalizeObservations ? ObservationStatistics.FromRows(seen, size) : null;
        Create(weights, hyperparameters, 0, statistics).VerifyAgainst(weights, hyperparameters, observations);
    }

    /// <summary>Compares this network with the learning core's forward over <paramref name="weights"/> and this network's statistics.</summary>
    /// <exception cref="InvalidOperationException">They disagree.</exception>
    internal void VerifyAgainst(NamedTensors weights, A3cHyperparameters hyperparameters, float[] observations)
    {
        var batch = observations.Length / ObservationSize;
        float[] expectedMu = new float[batch * ActionSize], expectedStd = new float[batch * ActionSize], expectedValues = new float[batch];
        using (var reference = new GradientLearner(hyperparameters, 0))
        using (var policy = new ActorCriticPolicy(reference.Model, 0))
        {
            reference.ImportParameters(weights);
            if (_statistics is not null)
            {
                reference.Model.SetObservationStatistics(_statistics);
            }

            policy.Act(observations, new float[batch * ActionSize], expectedMu, expectedStd, expectedValues, deterministic: true);
        }

        float[] mu = new float[batch * ActionSize], std = new float[batch * ActionSize], values = new float[batch];
        Forward(observations, mu, std, values);
        Compare("mu", expectedMu, mu);
        Compare("std", expectedStd, std);
        Compare("value", expectedValues, values);

        static void Compare(string what, float[] expected, float[] actual)
        {
            for (var i = 0; i < expected.Length; i++)
            {
                if (!(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1.0 + Math.Abs(expected[i]))))
                {
                    throw new InvalidOperationException(
                        $"The policy service's forward pass disagrees with the learning core's ActorCritic ({what}[{i}]: {actual[i]} vs {expected[i]}): "
                        + "the network definition changed; update Acting/ServingNetwork.cs to match.");
                }
            }
        }
    }

    /// <summary>A linear layer over row-major weights [outputs, inputs].</summary>
    private sealed class Layer(float[] weight, float[] bias, int inputs, int outputs)
    {
        public int Outputs => outputs;

        public static Layer From(NamedTensors weights, string name, int inputs, int outputs)
        {
            var weight = Require(weights, $"{name}.weight", [outputs, inputs]);
            var bias = Require(weights, $"{name}.bias", [outputs]);
            return new Layer(weight, bias, inputs, outputs);
        }

        /// <summary>output[r, j] = dot(weight[j, :], input[r, :]) + bias[j] for every row r.</summary>
        public void Apply(ReadOnlySpan<float> input, Span<float> output, int batch)
        {
            for (var r = 0; r < batch; r++)
            {
                var row = input.Slice(r * inputs, inputs);
                var destination = output.Slice(r * outputs, outputs);
                for (var j = 0; j < outputs; j++)
                {
                    destination[j] = TensorPrimitives.Dot(weight.AsSpan(j * inputs, inputs), row) + bias[j];
                }
            }
        }

        public static float[] Require(NamedTensors weights, string name, int[] shape)
        {
            if (!weights.TryGet(name, out var tensor) || !tensor.Shape.AsSpan().SequenceEqual(shape))
            {
                throw new ArgumentException(
                    $"The weights lack '{name}' with shape [{string.Join(", ", shape)}] that the serving network needs.", nameof(weights));
            }

            return tensor.Data;
        }
    }
}

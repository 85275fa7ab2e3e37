using System.Buffers;
using System.Numerics.Tensors;
using A3cGrpc.Learning;

namespace A3cGrpc.ParameterServer.Acting;

/// <summary>
/// The actor-critic's forward pass for serving, in managed code over one version's immutable weights: the same
/// function as <see cref="ActorCritic.forward"/> (trunk of Linear + ReLU layers; <c>mu = clamp(MuScale * tanh(.),
/// ActionLow, ActionHigh)</c>, <c>std = softplus(.) + StdEpsilon</c>, <c>V</c> linear), to float32 rounding.
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
    private readonly Layer _mu;
    private readonly Layer _sigma;
    private readonly Layer _value;
    private readonly float _muScale;
    private readonly float _actionLow;
    private readonly float _actionHigh;
    private readonly float _stdEpsilon;
    private readonly int _maxWidth;

    private ServingNetwork(long version, Layer[] trunk, Layer mu, Layer sigma, Layer value, A3cHyperparameters hyper)
    {
        Version = version;
        _trunk = trunk;
        _mu = mu;
        _sigma = sigma;
        _value = value;
        _muScale = (float)hyper.MuScale;
        _actionLow = (float)hyper.ActionLow;
        _actionHigh = (float)hyper.ActionHigh;
        _stdEpsilon = (float)hyper.StdEpsilon;
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

    /// <summary>A network over <paramref name="weights"/> (by the learning core's names), which must not change afterwards.</summary>
    /// <exception cref="ArgumentException">A parameter is missing or has the wrong shape.</exception>
    public static ServingNetwork Create(NamedTensors weights, A3cHyperparameters hyperparameters, long version)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var hidden = hyperparameters.EffectiveHiddenSizes;
        var trunk = new Layer[hidden.Count];
        var width = hyperparameters.ObservationSize;
        for (var i = 0; i < hidden.Count; i++)
        {
            trunk[i] = Layer.From(weights, $"trunk.{2 * i}", width, hidden[i]);
            width = hidden[i];
        }

        return new ServingNetwork(
            version,
            trunk,
            Layer.From(weights, "mu", width, hyperparameters.ActionSize),
            Layer.From(weights, "sigma", width, hyperparameters.ActionSize),
            Layer.From(weights, "value", width, 1),
            hyperparameters);
    }

    /// <summary>
    /// Runs B observations (B x ObservationSize, finite) and writes B x ActionSize means and standard deviations and
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

        var scratch = ArrayPool<float>.Shared.Rent(2 * batch * _maxWidth);
        try
        {
            var current = scratch.AsSpan(0, batch * _maxWidth);
            var next = scratch.AsSpan(batch * _maxWidth, batch * _maxWidth);
            observations.CopyTo(current);
            var width = ObservationSize;
            foreach (var layer in _trunk)
            {
                layer.Apply(current[..(batch * width)], next[..(batch * layer.Outputs)], batch);
                TensorPrimitives.Max(next[..(batch * layer.Outputs)], 0f, next[..(batch * layer.Outputs)]);
                var swap = current;
                current = next;
                next = swap;
                width = layer.Outputs;
            }

            var features = current[..(batch * width)];
            _mu.Apply(features, mu, batch);
            TensorPrimitives.Tanh(mu, mu);
            TensorPrimitives.Multiply(mu, _muScale, mu);
            TensorPrimitives.Max(mu, _actionLow, mu);
            TensorPrimitives.Min(mu, _actionHigh, mu);

            _sigma.Apply(features, std, batch);
            for (var i = 0; i < std.Length; i++)
            {
                // softplus(x) = max(x, 0) + log1p(exp(-|x|)), as ActorCritic computes it.
                var x = std[i];
                std[i] = MathF.Max(x, 0f) + (float)Math.Log(1.0 + Math.Exp(-Math.Abs(x))) + _stdEpsilon;
            }

            _value.Apply(features, values, batch);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Checks this network against the learning core: <see cref="ActorCriticPolicy"/> over a model holding the same
    /// weights must give the same mu, std and value (to float32 rounding) on a fixed set of observations.
    /// </summary>
    /// <exception cref="InvalidOperationException">They disagree: the serving forward no longer matches <see cref="ActorCritic"/>.</exception>
    public void Verify(NamedTensors weights, A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        const int batch = 16;
        var random = new Random(12345);
        var observations = new float[batch * ObservationSize];
        for (var i = 0; i < observations.Length; i++)
        {
            observations[i] = (float)((random.NextDouble() * 6.0) - 3.0);
        }

        float[] expectedMu = new float[batch * ActionSize], expectedStd = new float[batch * ActionSize], expectedValues = new float[batch];
        using (var reference = new GradientWorker(hyperparameters, 0))
        using (var policy = new ActorCriticPolicy(reference.Model, 0))
        {
            reference.ImportParameters(weights);
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

        private static float[] Require(NamedTensors weights, string name, int[] shape)
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

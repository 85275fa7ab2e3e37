using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>One policy decision for a single observation with a one-dimensional action.</summary>
/// <param name="Action">The UNCLIPPED action (a sample of Normal(mu, std), or mu in deterministic mode): store it for the loss.</param>
/// <param name="Mu">Policy mean.</param>
/// <param name="Std">Policy standard deviation.</param>
/// <param name="Value">Critic value V(s).</param>
public readonly record struct PolicyDecision(float Action, float Mu, float Std, float Value)
{
    /// <summary>The action to send to the environment: <see cref="Action"/> clipped to the seed's [-1, 1].</summary>
    public float ClippedAction => (float)ActorCriticPolicy.ClipAction(Action);
}

/// <summary>
/// Acting with an <see cref="ActorCritic"/>: a batched no-gradient forward from a span of observations, then a
/// sample of Normal(mu, std) drawn from this policy's own seeded generator (reproducible, independent of the global
/// LibTorch random state), or the mean in deterministic mode. The policy reads the model's current weights on every
/// call and does not own the model. Not thread-safe (one policy per acting thread).
/// </summary>
public sealed class ActorCriticPolicy : IDisposable
{
    private readonly Generator _generator;
    private readonly Scalar _one = 1.0; // kept alive by this field: TorchSharp does not keep temporary Scalars alive
    private Tensor? _input;
    private long[] _noiseShape = [];
    private int _cachedBatch;
    private bool _disposed;

    /// <summary>A policy over <paramref name="model"/> (float32) whose samples are reproducible from <paramref name="seed"/>.</summary>
    public ActorCriticPolicy(ActorCritic model, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.DType != ScalarType.Float32)
        {
            throw new ArgumentException($"Acting needs a Float32 model, got {model.DType}.", nameof(model));
        }

        Model = model;
        _generator = new Generator(unchecked((ulong)seed), CPU);
    }

    /// <summary>The network acted with (not owned).</summary>
    public ActorCritic Model { get; }

    /// <summary>Width of one observation.</summary>
    public int ObservationSize => Model.ObservationSize;

    /// <summary>Width of one action.</summary>
    public int ActionSize => Model.ActionSize;

    /// <summary>Clips an action to the seed's range [-1, 1] (or [low, high]); NaN stays NaN.</summary>
    public static double ClipAction(double action, double low = -1.0, double high = 1.0) => Math.Clamp(action, low, high);

    /// <summary>
    /// Acts on a batch of B observations (B x ObservationSize, row-major) and writes B x ActionSize actions, means and
    /// standard deviations, and B values. Actions are unclipped samples of Normal(mu, std), or mu when
    /// <paramref name="deterministic"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length or an observation is not finite.</exception>
    public void Act(
        ReadOnlySpan<float> observations,
        Span<float> actions,
        Span<float> mu,
        Span<float> std,
        Span<float> values,
        bool deterministic = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batch = BatchSize(observations);
        RequireLength(actions, batch * ActionSize, nameof(actions));
        RequireLength(mu, batch * ActionSize, nameof(mu));
        RequireLength(std, batch * ActionSize, nameof(std));
        RequireLength(values, batch, nameof(values));

        using var flush = FlushDenormalsScope.Enter();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = InputFor(batch);
        observations.CopyTo(MemoryMarshal.Cast<byte, float>(input.bytes));
        var output = Model.forward(input);
        TensorData.CopyTo(output.Mu, mu);
        TensorData.CopyTo(output.Std, std);
        TensorData.CopyTo(output.Value, values);
        if (deterministic)
        {
            mu.CopyTo(actions);
            return;
        }

        var noise = randn(_noiseShape, ScalarType.Float32, generator: _generator);
        TensorData.CopyTo(output.Mu.addcmul(output.Std, noise, _one), actions);
    }

    /// <summary>Acts on one observation of a model with a one-dimensional action.</summary>
    /// <exception cref="InvalidOperationException">The model's action has more than one dimension.</exception>
    public PolicyDecision Act(ReadOnlySpan<float> observation, bool deterministic = false)
    {
        if (ActionSize != 1)
        {
            throw new InvalidOperationException($"This overload needs a one-dimensional action; the model's has {ActionSize}.");
        }

        float action = 0, mean = 0, deviation = 0, value = 0;
        Act(
            observation,
            new Span<float>(ref action),
            new Span<float>(ref mean),
            new Span<float>(ref deviation),
            new Span<float>(ref value),
            deterministic);
        return new PolicyDecision(action, mean, deviation, value);
    }

    /// <summary>
    /// Restarts the sampling stream from <paramref name="seed"/>: the trainer gives every episode a stream of its
    /// own, so an episode's noise depends only on the run's seed and the episode's index (also after a resume).
    /// </summary>
    public void Reseed(long seed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _generator.manual_seed(seed);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _input?.Dispose();
        _generator.Dispose();
        _one.Dispose();
    }

    private int BatchSize(ReadOnlySpan<float> observations)
    {
        if (observations.Length == 0 || observations.Length % ObservationSize != 0)
        {
            throw new ArgumentException(
                $"observations must hold a positive multiple of {ObservationSize} values, got {observations.Length}.", nameof(observations));
        }

        for (var i = 0; i < observations.Length; i++)
        {
            if (!float.IsFinite(observations[i]))
            {
                throw new ArgumentException(
                    $"Observation {i / ObservationSize}, element {i % ObservationSize}, is not finite ({observations[i]}).", nameof(observations));
            }
        }

        return observations.Length / ObservationSize;
    }

    /// <summary>The input tensor for <paramref name="batch"/> rows, kept between calls (outside any dispose scope).</summary>
    private Tensor InputFor(int batch)
    {
        if (_input is null || _cachedBatch != batch)
        {
            _input?.Dispose();
            _input = empty([batch, ObservationSize], ScalarType.Float32).DetachFromDisposeScope();
            _noiseShape = [batch, ActionSize];
            _cachedBatch = batch;
        }

        return _input;
    }

    private static void RequireLength(Span<float> span, int expected, string name)
    {
        if (span.Length != expected)
        {
            throw new ArgumentException($"{name} must hold {expected} values, got {span.Length}.", name);
        }
    }
}

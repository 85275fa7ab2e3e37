using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace A3cGrpc.Learning;

/// <summary>A copy of one parameter's Adam state.</summary>
/// <param name="Name">The parameter's stable name.</param>
/// <param name="Step">Optimiser steps taken for this parameter.</param>
/// <param name="ExpAvg">First-moment estimate (exp_avg), row-major.</param>
/// <param name="ExpAvgSq">Second-moment estimate (exp_avg_sq), row-major.</param>
public sealed record AdamParameterState(string Name, long Step, float[] ExpAvg, float[] ExpAvgSq);

/// <summary>
/// Adam over the parameters of one <see cref="ActorCritic"/>, with the update of PyTorch's <c>torch.optim.Adam</c>
/// (no weight decay, no AMSGrad) performed by the same tensor operations, in the same order, as TorchSharp's
/// <c>Adam</c>, so the results are bit-identical to it (checked by a test):
/// <code>
/// step += 1
/// exp_avg    = beta1 exp_avg    + (1 - beta1) g
/// exp_avg_sq = beta2 exp_avg_sq + (1 - beta2) g^2
/// p -= lr / (1 - beta1^step) * exp_avg / (sqrt(exp_avg_sq) / sqrt(1 - beta2^step) + eps)
/// </code>
/// State is kept per parameter name (the unit of checkpoints). Parameters without a gradient are skipped.
/// Denormal numbers are flushed to zero during a step (see <see cref="FlushDenormalsScope"/>): decaying moments
/// of dead units otherwise make steps several times slower. Not thread-safe: callers serialise access.
/// </summary>
/// <remarks>
/// Why not TorchSharp's <c>Adam</c>: its step passes temporary <see cref="Scalar"/>s (implicit conversions of
/// doubles) to native code by raw handle without keeping them alive. Scalars have finalisers, so a garbage
/// collection during the call can free one while LibTorch reads it, which surfaces as a native error
/// ("Expected false to be true ... toFloat") or silently as a wrong coefficient. A stress run (a thread forcing
/// collections) hit it 902 times in 5.3 million <c>add_(t, alpha: 0.25)</c> calls and never with a Scalar held in a
/// variable. Here every Scalar lives in a field or a <c>using</c> variable for the whole call.
/// </remarks>
public sealed class AdamOptimizer : IDisposable
{
    private readonly ActorCritic _model;
    private readonly Entry[] _entries;
    private readonly Scalar _beta1;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsilon;
    private readonly Scalar _one;
    private double _learningRate;
    private byte[][]? _remembered;
    private long[]? _rememberedSteps;
    private bool _disposed;

    /// <summary>Adam over every parameter of <paramref name="model"/>, with the seed's settings from <paramref name="hyperparameters"/>.</summary>
    public AdamOptimizer(ActorCritic model, A3cHyperparameters hyperparameters)
        : this(
            model,
            (hyperparameters ?? throw new ArgumentNullException(nameof(hyperparameters))).EffectiveLearningRate,
            hyperparameters.AdamBeta1,
            hyperparameters.AdamBeta2,
            hyperparameters.AdamEpsilon)
    {
    }

    /// <summary>Adam over every parameter of <paramref name="model"/> (not owned), with all moments zero and step 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdamOptimizer(ActorCritic model, double learningRate, double beta1, double beta2, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireLearningRate(learningRate);
        if (!(beta1 is >= 0.0 and < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        }

        if (!(beta2 is >= 0.0 and < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        }

        if (!(epsilon > 0.0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive and finite.");
        }

        _model = model;
        _learningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _beta1 = beta1;
        _oneMinusBeta1 = 1.0 - beta1;
        _beta2 = beta2;
        _oneMinusBeta2 = 1.0 - beta2;
        _epsilon = epsilon;
        _one = 1.0;
        using (no_grad())
        {
            _entries = [.. model.named_parameters().Select(p => new Entry(
                p.name,
                p.parameter,
                zeros_like(p.parameter).DetachFromDisposeScope(),
                zeros_like(p.parameter).DetachFromDisposeScope()))];
        }
    }

    /// <summary>Step size; may be changed between steps (for example by a schedule).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive and finite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            RequireLearningRate(value);
            _learningRate = value;
        }
    }

    /// <summary>Decay of the first-moment estimate.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>The names of the optimised parameters, in the model's order.</summary>
    public IEnumerable<string> ParameterNames => _entries.Select(e => e.Name);

    /// <summary>Sets every existing gradient of the model's parameters to zero.</summary>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        foreach (var entry in _entries)
        {
            using var grad = entry.Parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam step with the gradients currently held by the parameters.</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var flush = FlushDenormalsScope.Enter();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var entry in _entries)
        {
            using var grad = entry.Parameter.grad;
            if (grad is null)
            {
                continue;
            }

            entry.Step++;
            var biasCorrection1 = 1.0 - Math.Pow(Beta1, entry.Step);
            var biasCorrection2 = 1.0 - Math.Pow(Beta2, entry.Step);
            using Scalar rootBiasCorrection2 = Math.Sqrt(biasCorrection2), negativeStepSize = -_learningRate / biasCorrection1;

            entry.ExpAvg.mul_(_beta1).add_(grad, _oneMinusBeta1);
            entry.ExpAvgSq.mul_(_beta2).addcmul_(grad, grad, _oneMinusBeta2);
            var denominator = entry.ExpAvgSq.sqrt().div_(rootBiasCorrection2).add_(_epsilon, _one);
            entry.Parameter.addcdiv_(entry.ExpAvg, denominator, negativeStepSize);
        }
    }

    /// <summary>True when every parameter and both moments of every parameter hold only finite values.</summary>
    public bool StateIsFinite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var entry in _entries)
        {
            if (!IsFinite(entry.Parameter) || !IsFinite(entry.ExpAvg) || !IsFinite(entry.ExpAvgSq))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Copies every parameter, both moments and the step counts into buffers kept for the purpose (allocated once, raw
    /// bytes of the contiguous CPU tensors), so that <see cref="RestoreRememberedState"/> can undo the steps taken since.
    /// </summary>
    public void RememberState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _remembered ??= [.. _entries.SelectMany(e => new[] { e.Parameter, e.ExpAvg, e.ExpAvgSq }).Select(t => new byte[t.bytes.Length])];
        _rememberedSteps ??= new long[_entries.Length];
        for (var i = 0; i < _entries.Length; i++)
        {
            var entry = _entries[i];
            entry.Parameter.bytes.CopyTo(_remembered[3 * i]);
            entry.ExpAvg.bytes.CopyTo(_remembered[(3 * i) + 1]);
            entry.ExpAvgSq.bytes.CopyTo(_remembered[(3 * i) + 2]);
            _rememberedSteps[i] = entry.Step;
        }
    }

    /// <summary>Puts back the parameters, moments and step counts copied by the last <see cref="RememberState"/>.</summary>
    /// <exception cref="InvalidOperationException">Nothing was remembered.</exception>
    public void RestoreRememberedState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_remembered is null || _rememberedSteps is null)
        {
            throw new InvalidOperationException("RestoreRememberedState needs a RememberState before it.");
        }

        for (var i = 0; i < _entries.Length; i++)
        {
            var entry = _entries[i];
            _remembered[3 * i].CopyTo(entry.Parameter.bytes);
            _remembered[(3 * i) + 1].CopyTo(entry.ExpAvg.bytes);
            _remembered[(3 * i) + 2].CopyTo(entry.ExpAvgSq.bytes);
            entry.Step = _rememberedSteps[i];
        }
    }

    /// <summary>A copy of every parameter's state, in the model's order.</summary>
    public IReadOnlyList<AdamParameterState> ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return [.. _entries.Select(e =>
        {
            var expAvg = new float[e.ExpAvg.numel()];
            var expAvgSq = new float[e.ExpAvgSq.numel()];
            TensorData.CopyTo(e.ExpAvg, expAvg);
            TensorData.CopyTo(e.ExpAvgSq, expAvgSq);
            return new AdamParameterState(e.Name, e.Step, expAvg, expAvgSq);
        })];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var entry in _entries)
        {
            entry.ExpAvg.Dispose();
            entry.ExpAvgSq.Dispose();
        }

        _beta1.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2.Dispose();
        _oneMinusBeta2.Dispose();
        _epsilon.Dispose();
        _one.Dispose();
    }

    /// <summary>True when this optimiser was built over <paramref name="model"/>.</summary>
    internal bool Optimizes(ActorCritic model) => ReferenceEquals(_model, model);

    /// <summary>The per-parameter state, in the model's order (for checkpoints).</summary>
    internal IReadOnlyList<Entry> Entries
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _entries;
        }
    }

    /// <summary>True when a (contiguous, CPU) float32 or float64 tensor holds only finite values, read in place.</summary>
    private static bool IsFinite(Tensor tensor) => tensor.dtype == ScalarType.Float64
        ? TensorPrimitives.IsFiniteAll(MemoryMarshal.Cast<byte, double>(tensor.bytes))
        : TensorPrimitives.IsFiniteAll(MemoryMarshal.Cast<byte, float>(tensor.bytes));

    private static void RequireLearningRate(double value)
    {
        if (!(value > 0.0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be positive and finite.");
        }
    }

    /// <summary>One parameter with its moments and step count.</summary>
    internal sealed class Entry(string name, Parameter parameter, Tensor expAvg, Tensor expAvgSq)
    {
        public string Name { get; } = name;

        public Parameter Parameter { get; } = parameter;

        public Tensor ExpAvg { get; } = expAvg;

        public Tensor ExpAvgSq { get; } = expAvgSq;

        public long Step { get; set; }
    }
}

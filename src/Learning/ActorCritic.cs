using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>The three heads of <see cref="ActorCritic"/> for a batch of B observations.</summary>
/// <param name="Mu">Policy mean, [B, ActionSize] (clamped to the action bounds only by the seed's head).</param>
/// <param name="Std">Policy standard deviation, [B, ActionSize], strictly positive.</param>
/// <param name="Value">State value, [B, 1].</param>
public readonly record struct ActorCriticOutput(Tensor Mu, Tensor Std, Tensor Value);

/// <summary>
/// The actor-critic network. With the seed's settings (docs/seed-report.md, "Network") it is a shared trunk
/// <c>Linear(5, 512) -> ReLU -> Linear(512, 256) -> ReLU</c> and three linear heads:
/// <c>mu = clamp(2 * tanh(Linear(h)), -1, 1)</c>, <c>std = softplus(Linear(h)) + 1e-5</c>, <c>V = Linear(h)</c>.
/// The learning options of <see cref="A3cHyperparameters"/> change it: tanh hidden units, an unsquashed mean,
/// a state-independent log σ, a critic trunk of its own, orthogonal initial weights, and observations
/// normalised by running statistics (<see cref="SetObservationStatistics"/>) before the first layer.
/// </summary>
/// <remarks>
/// Parameter names are the wire format of parameter exchange and checkpoints, and never change:
/// <c>trunk.0.weight</c>, <c>trunk.0.bias</c>, <c>trunk.2.weight</c>, <c>trunk.2.bias</c> (one Linear every two
/// trunk entries, activations in between), <c>mu.weight</c>, <c>mu.bias</c>, <c>sigma.weight</c>, <c>sigma.bias</c>
/// (the seed's head), <c>critic.*</c> (a separate critic trunk, same layout as the trunk), <c>value.weight</c>,
/// <c>value.bias</c>; a state-independent σ is the parameter <c>log_std</c>, which TorchSharp lists first (a module's
/// own parameters come before its submodules'). The observation statistics are not parameters:
/// they travel beside the weights. Call <see cref="forward"/> inside a dispose scope.
/// </remarks>
public sealed class ActorCritic : nn.Module<Tensor, ActorCriticOutput>
{
    [ComponentName(Name = "trunk")]
    private readonly Sequential _trunk;

    [ComponentName(Name = "mu")]
    private readonly Linear _muHead;

    [ComponentName(Name = "sigma")]
    private readonly Linear? _sigmaHead;

    [ComponentName(Name = "log_std")]
    private readonly Parameter? _logStd;

    [ComponentName(Name = "critic")]
    private readonly Sequential? _criticTrunk;

    [ComponentName(Name = "value")]
    private readonly Linear _valueHead;

    // Scalars are created once and kept alive by these fields: TorchSharp passes a Scalar's native handle without
    // keeping the managed object alive, so a temporary Scalar (an implicit double conversion) can be finalised while
    // LibTorch still reads it (a native error or a wrong value under garbage collection).
    private readonly Scalar _muScale;
    private readonly Scalar _actionLow;
    private readonly Scalar _actionHigh;
    private readonly Scalar _stdEpsilon;
    private readonly Scalar _minLogStd;
    private readonly Scalar _maxLogStd;
    private readonly Scalar _clip;
    private readonly Scalar _negativeClip;
    private readonly Scalar _one;

    private readonly PolicyMeanKind _meanKind;
    private readonly bool _normalize;
    private readonly Tensor? _observationShift;
    private readonly Tensor? _observationScale;

    /// <summary>
    /// Builds the network and initialises it deterministically from <paramref name="seed"/>, drawn from a private
    /// generator so the global LibTorch random state is neither used nor changed: PyTorch's default <c>nn.Linear</c>
    /// initialisation (weights and biases uniform in ±1/sqrt(fan_in)), or orthogonal weights when
    /// <see cref="A3cHyperparameters.OrthogonalInitialization"/> is set.
    /// </summary>
    /// <param name="hyperparameters">Sizes, head kinds, constants and bounds (validated here).</param>
    /// <param name="seed">Seed of the initial weights.</param>
    /// <param name="dtype">Parameter type: <see cref="ScalarType.Float32"/> in production, Float64 for numeric tests.</param>
    public ActorCritic(A3cHyperparameters hyperparameters, long seed, ScalarType dtype = ScalarType.Float32)
        : base(nameof(ActorCritic))
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        hyperparameters.Validate();
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentException($"ActorCritic supports Float32 and Float64 parameters, not {dtype}.", nameof(dtype));
        }

        ObservationSize = hyperparameters.ObservationSize;
        ActionSize = hyperparameters.ActionSize;
        HiddenSizes = [.. hyperparameters.EffectiveHiddenSizes];
        DType = dtype;
        _meanKind = hyperparameters.PolicyMean;
        _muScale = hyperparameters.MuScale;
        _actionLow = hyperparameters.ActionLow;
        _actionHigh = hyperparameters.ActionHigh;
        _stdEpsilon = hyperparameters.StdEpsilon;
        _minLogStd = hyperparameters.MinLogStd;
        _maxLogStd = hyperparameters.MaxLogStd;
        _clip = hyperparameters.ObservationClip;
        _negativeClip = -hyperparameters.ObservationClip;
        _one = 1.0;

        // nn.Linear initialises itself from LibTorch's global generator as it is built; those values are overwritten
        // below from the seed, and the global generator is put back as it was so that building a model does not
        // shift anyone else's random stream.
        using (var globalState = get_rng_state())
        {
            _trunk = Trunk(hyperparameters, dtype);
            var width = HiddenSizes[^1];
            _muHead = nn.Linear(width, ActionSize, hasBias: true, dtype: dtype);
            if (hyperparameters.PolicyStd == PolicyStdKind.SoftplusHead)
            {
                _sigmaHead = nn.Linear(width, ActionSize, hasBias: true, dtype: dtype);
            }
            else
            {
                using Scalar initialLogStd = hyperparameters.InitialLogStd;
                _logStd = new Parameter(full([ActionSize], initialLogStd, dtype: dtype));
            }

            _criticTrunk = hyperparameters.SeparateCritic ? Trunk(hyperparameters, dtype) : null;
            _valueHead = nn.Linear(width, 1, hasBias: true, dtype: dtype);
            set_rng_state(globalState);
        }

        if (hyperparameters.NormalizeObservations)
        {
            _normalize = true;
            _observationShift = zeros([ObservationSize], dtype: dtype).DetachFromDisposeScope();
            _observationScale = ones([ObservationSize], dtype: dtype).DetachFromDisposeScope();
            ObservationStatistics = ObservationStatistics.Empty(ObservationSize);
        }

        RegisterComponents();
        if (hyperparameters.OrthogonalInitialization)
        {
            InitializeOrthogonal(seed);
        }
        else
        {
            InitializeUniform(seed);
        }
    }

    /// <summary>Input width (the observation size).</summary>
    public int ObservationSize { get; }

    /// <summary>Width of the mean and standard deviation heads.</summary>
    public int ActionSize { get; }

    /// <summary>The trunk's hidden layer widths.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>The parameters' element type.</summary>
    public ScalarType DType { get; }

    /// <summary>True when observations are normalised before the first layer.</summary>
    public bool NormalizesObservations => _normalize;

    /// <summary>The statistics the input is normalised with (null when the model does not normalise).</summary>
    public ObservationStatistics? ObservationStatistics { get; private set; }

    /// <summary>
    /// Creates the network with weights drawn deterministically from <paramref name="seed"/>
    /// (same as the constructor; reads better at call sites).
    /// </summary>
    public static ActorCritic Create(A3cHyperparameters hyperparameters, long seed, ScalarType dtype = ScalarType.Float32) =>
        new(hyperparameters, seed, dtype);

    /// <summary>
    /// Sets the statistics observations are normalised with from now on (the model must normalise; the statistics are
    /// kept, not copied, and are immutable).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not normalise observations.</exception>
    /// <exception cref="ArgumentException">The statistics have another width.</exception>
    public void SetObservationStatistics(ObservationStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (!_normalize)
        {
            throw new InvalidOperationException("This model does not normalise observations (NormalizeObservations is off).");
        }

        if (statistics.Size != ObservationSize)
        {
            throw new ArgumentException($"The statistics describe {statistics.Size} values; the model observes {ObservationSize}.", nameof(statistics));
        }

        Span<float> shift = stackalloc float[ObservationSize];
        Span<float> scale = stackalloc float[ObservationSize];
        statistics.ShiftAndScale(shift, scale);
        TensorData.CopyFrom(_observationShift!, shift);
        TensorData.CopyFrom(_observationScale!, scale);
        ObservationStatistics = statistics;
    }

    /// <summary>Runs the three heads on a batch of raw observations [B, ObservationSize].</summary>
    /// <param name="input">Observations, [B, ObservationSize], in <see cref="DType"/>.</param>
    public override ActorCriticOutput forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = Normalized(input);
        var h = _trunk.forward(x);
        var z = _muHead.forward(h);
        var mu = _meanKind == PolicyMeanKind.ClampedTanh ? z.tanh().mul(_muScale).clamp(_actionLow, _actionHigh) : z;
        var std = _sigmaHead is not null
            ? Softplus(_sigmaHead.forward(h)).add(_stdEpsilon, _one)
            : _logStd!.clamp(_minLogStd, _maxLogStd).exp().expand(input.shape[0], ActionSize);
        var value = _valueHead.forward(_criticTrunk is null ? h : _criticTrunk.forward(x));
        return new ActorCriticOutput(mu, std, value);
    }

    /// <summary>Only the critic: V(s) for a batch of raw observations [B, ObservationSize], returned as [B, 1].</summary>
    public Tensor ValueOf(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = Normalized(input);
        return _valueHead.forward((_criticTrunk ?? _trunk).forward(x));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _muScale.Dispose();
            _actionLow.Dispose();
            _actionHigh.Dispose();
            _stdEpsilon.Dispose();
            _minLogStd.Dispose();
            _maxLogStd.Dispose();
            _clip.Dispose();
            _negativeClip.Dispose();
            _one.Dispose();
            _observationShift?.Dispose();
            _observationScale?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Sequential Trunk(A3cHyperparameters hyperparameters, ScalarType dtype)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long width = hyperparameters.ObservationSize;
        var hidden = hyperparameters.EffectiveHiddenSizes;
        for (var i = 0; i < hidden.Count; i++)
        {
            layers.Add((LayerName(2 * i), nn.Linear(width, hidden[i], hasBias: true, dtype: dtype)));
            layers.Add((LayerName((2 * i) + 1), hyperparameters.Activation == HiddenActivation.Tanh ? nn.Tanh() : nn.ReLU()));
            width = hidden[i];
        }

        return nn.Sequential(layers);
    }

    private Tensor Normalized(Tensor input)
    {
        if (!_normalize)
        {
            return input;
        }

        return input.sub(_observationShift!).mul(_observationScale!).clamp(_negativeClip, _clip);
    }

    /// <summary>
    /// softplus(x) = log(1 + e^x), written as max(x, 0) + log1p(e^-|x|) (stable for any x). TorchSharp's own
    /// softplus builds temporary Scalars (see the field comment), so it is not used.
    /// </summary>
    private Tensor Softplus(Tensor x)
    {
        using var scope = NewDisposeScope();
        return x.relu().add(x.abs().neg().exp().log1p(), _one).MoveToOuterDisposeScope();
    }

    private static string LayerName(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private IEnumerable<Linear> Linears()
    {
        foreach (var linear in _trunk.children().OfType<Linear>())
        {
            yield return linear;
        }

        yield return _muHead;
        if (_sigmaHead is not null)
        {
            yield return _sigmaHead;
        }

        foreach (var linear in _criticTrunk?.children().OfType<Linear>() ?? [])
        {
            yield return linear;
        }

        yield return _valueHead;
    }

    private void InitializeUniform(long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        foreach (var linear in Linears())
        {
            // PyTorch's nn.Linear.reset_parameters: kaiming_uniform_(a = sqrt(5)) on the weight, which is
            // uniform in +-1/sqrt(fan_in), and the bias uniform in +-1/sqrt(fan_in).
            // Tensor.uniform_ is used because TorchSharp 0.107's nn.init.uniform_ ignores its generator argument
            // (it draws from the global generator; checked by a test).
            var bound = 1.0 / Math.Sqrt(linear.in_features);
            linear.weight!.uniform_(-bound, bound, generator);
            linear.bias!.uniform_(-bound, bound, generator);
        }
    }

    /// <summary>
    /// Orthogonal weights as in OpenAI Baselines and Stable-Baselines3: gain √2 for hidden layers, 0.01 for the mean
    /// head (the first policy is nearly μ = 0 everywhere), 1 for the value and σ heads; biases zero. A weight is the Q of
    /// a QR decomposition of a standard normal matrix (signs fixed by R's diagonal), drawn from the seeded generator.
    /// </summary>
    private void InitializeOrthogonal(long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        foreach (var linear in Linears())
        {
            var gain = ReferenceEquals(linear, _muHead) ? 0.01
                : ReferenceEquals(linear, _valueHead) || ReferenceEquals(linear, _sigmaHead) ? 1.0
                : Math.Sqrt(2.0);
            linear.weight!.copy_(Orthogonal(linear.out_features, linear.in_features, gain, generator, DType));
            linear.bias!.zero_();
        }
    }

    private static Tensor Orthogonal(long rows, long columns, double gain, Generator generator, ScalarType dtype)
    {
        // QR of the taller orientation gives orthonormal columns; transpose back when the matrix is wide.
        var tall = rows >= columns;
        var normal = randn(tall ? [rows, columns] : [columns, rows], ScalarType.Float64, generator: generator);
        var (q, r) = linalg.qr(normal);
        var signs = r.diagonal().sign();
        using Scalar gainScalar = gain;
        var orthogonal = q.mul(signs.unsqueeze(0)).mul(gainScalar);
        return (tall ? orthogonal : orthogonal.t()).to_type(dtype);
    }
}

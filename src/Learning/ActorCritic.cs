using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>The three heads of <see cref="ActorCritic"/> for a batch of B observations.</summary>
/// <param name="Mu">Policy mean, [B, ActionSize], clamped to the action bounds.</param>
/// <param name="Std">Policy standard deviation, [B, ActionSize], strictly positive.</param>
/// <param name="Value">State value, [B, 1].</param>
public readonly record struct ActorCriticOutput(Tensor Mu, Tensor Std, Tensor Value);

/// <summary>
/// The seed's network (seed-report.md, "Network"): a shared trunk
/// <c>Linear(5, 512) -> ReLU -> Linear(512, 256) -> ReLU</c> and three linear heads:
/// <c>mu = clamp(2 * tanh(Linear(h)), -1, 1)</c>, <c>std = softplus(Linear(h)) + 1e-5</c>, <c>V = Linear(h)</c>.
/// </summary>
/// <remarks>
/// Parameter names are the wire format of parameter exchange and checkpoints, and never change:
/// <c>trunk.0.weight</c>, <c>trunk.0.bias</c>, <c>trunk.2.weight</c>, <c>trunk.2.bias</c> (one Linear every two
/// trunk entries, ReLUs in between), <c>mu.weight</c>, <c>mu.bias</c>, <c>sigma.weight</c>, <c>sigma.bias</c>,
/// <c>value.weight</c>, <c>value.bias</c>. Call <see cref="forward"/> inside a dispose scope.
/// </remarks>
public sealed class ActorCritic : nn.Module<Tensor, ActorCriticOutput>
{
    [ComponentName(Name = "trunk")]
    private readonly Sequential _trunk;

    [ComponentName(Name = "mu")]
    private readonly Linear _muHead;

    [ComponentName(Name = "sigma")]
    private readonly Linear _sigmaHead;

    [ComponentName(Name = "value")]
    private readonly Linear _valueHead;

    // Scalars are created once and kept alive by these fields: TorchSharp passes a Scalar's native handle without
    // keeping the managed object alive, so a temporary Scalar (an implicit double conversion) can be finalised while
    // LibTorch still reads it (a native error or a wrong value under garbage collection).
    private readonly Scalar _muScale;
    private readonly Scalar _actionLow;
    private readonly Scalar _actionHigh;
    private readonly Scalar _stdEpsilon;
    private readonly Scalar _one;

    /// <summary>
    /// Builds the network and initialises it deterministically from <paramref name="seed"/> with PyTorch's default
    /// <c>nn.Linear</c> initialisation (weights and biases uniform in ±1/sqrt(fan_in)), drawn from a private
    /// generator so the global LibTorch random state is neither used nor changed.
    /// </summary>
    /// <param name="hyperparameters">Sizes, head constants and bounds (validated here).</param>
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
        _muScale = hyperparameters.MuScale;
        _actionLow = hyperparameters.ActionLow;
        _actionHigh = hyperparameters.ActionHigh;
        _stdEpsilon = hyperparameters.StdEpsilon;
        _one = 1.0;

        // nn.Linear initialises itself from LibTorch's global generator as it is built; those values are overwritten
        // below from the seed, and the global generator is put back as it was so that building a model does not
        // shift anyone else's random stream.
        using (var globalState = get_rng_state())
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            long width = ObservationSize;
            for (var i = 0; i < HiddenSizes.Count; i++)
            {
                layers.Add((LayerName(2 * i), nn.Linear(width, HiddenSizes[i], hasBias: true, dtype: dtype)));
                layers.Add((LayerName((2 * i) + 1), nn.ReLU()));
                width = HiddenSizes[i];
            }

            _trunk = nn.Sequential(layers);
            _muHead = nn.Linear(width, ActionSize, hasBias: true, dtype: dtype);
            _sigmaHead = nn.Linear(width, ActionSize, hasBias: true, dtype: dtype);
            _valueHead = nn.Linear(width, 1, hasBias: true, dtype: dtype);
            set_rng_state(globalState);
        }

        RegisterComponents();
        InitializeParameters(seed);
    }

    /// <summary>Input width (the observation size).</summary>
    public int ObservationSize { get; }

    /// <summary>Width of the mean and standard deviation heads.</summary>
    public int ActionSize { get; }

    /// <summary>The trunk's hidden layer widths.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>The parameters' element type.</summary>
    public ScalarType DType { get; }

    /// <summary>
    /// Creates the network with weights drawn deterministically from <paramref name="seed"/>
    /// (same as the constructor; reads better at call sites).
    /// </summary>
    public static ActorCritic Create(A3cHyperparameters hyperparameters, long seed, ScalarType dtype = ScalarType.Float32) =>
        new(hyperparameters, seed, dtype);

    /// <summary>Runs the three heads on a batch of observations [B, ObservationSize].</summary>
    /// <param name="input">Observations, [B, ObservationSize], in <see cref="DType"/>.</param>
    public override ActorCriticOutput forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var h = _trunk.forward(input);
        var mu = _muHead.forward(h).tanh().mul(_muScale).clamp(_actionLow, _actionHigh);
        var std = Softplus(_sigmaHead.forward(h)).add(_stdEpsilon, _one);
        var value = _valueHead.forward(h);
        return new ActorCriticOutput(mu, std, value);
    }

    /// <summary>Only the critic head: V(s) for a batch [B, ObservationSize], returned as [B, 1].</summary>
    public Tensor ValueOf(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _valueHead.forward(_trunk.forward(input));
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
            _one.Dispose();
        }

        base.Dispose(disposing);
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

    private void InitializeParameters(long seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var noGrad = no_grad();
        var linears = _trunk.children().OfType<Linear>().Concat([_muHead, _sigmaHead, _valueHead]);
        foreach (var linear in linears)
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
}

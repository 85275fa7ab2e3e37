using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>
/// The A3C worker's side of learning: a local copy of the network that pulls the global weights
/// (<see cref="ImportParameters"/>) and turns a window into gradients by name (<see cref="ComputeGradients(NStepWindow)"/>)
/// for the parameter server to apply. It has no optimiser and never changes its own weights. Not thread-safe.
/// </summary>
public sealed class GradientLearner : IDisposable
{
    private bool _disposed;

    /// <summary>A worker whose local network starts from <paramref name="seed"/> (normally overwritten by the first pull).</summary>
    public GradientLearner(A3cHyperparameters hyperparameters, long seed)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        hyperparameters.Validate();
        Hyperparameters = hyperparameters.Clone();
        Model = ActorCritic.Create(Hyperparameters, seed);
    }

    /// <summary>The (validated, private copy of the) hyper-parameters in force.</summary>
    public A3cHyperparameters Hyperparameters { get; }

    /// <summary>The local network (also the one to act with, through an <see cref="ActorCriticPolicy"/>).</summary>
    public ActorCritic Model { get; }

    /// <summary>Overwrites the local weights with the global ones. Validates everything first; on error nothing changes.</summary>
    /// <exception cref="ArgumentException">A missing or unknown name, a wrong shape or size, or a non-finite value.</exception>
    public void ImportParameters(NamedTensors parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ParameterExchange.Import(Model, parameters);
    }

    /// <summary>A fresh copy of the local weights by name.</summary>
    public NamedTensors ExportParameters()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ParameterExchange.Export(Model);
    }

    /// <summary>New zero-filled buffers with the model's parameter names and shapes, for <see cref="ComputeGradientsInto(NStepWindow, NamedTensors)"/>.</summary>
    public NamedTensors CreateGradientBuffers()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ParameterExchange.CreateLayout(Model);
    }

    /// <summary>The gradient of the seed's n-step loss on <paramref name="window"/>, by parameter name, in new arrays.</summary>
    public NamedTensors ComputeGradients(NStepWindow window) => ComputeGradients(window, out _);

    /// <summary>As <see cref="ComputeGradients(NStepWindow)"/>, also returning the loss statistics.</summary>
    public NamedTensors ComputeGradients(NStepWindow window, out LossStatistics statistics)
    {
        var gradients = CreateGradientBuffers();
        statistics = ComputeGradientsInto(window, gradients);
        return gradients;
    }

    /// <summary>
    /// Writes the gradient of the seed's n-step loss on <paramref name="window"/> into <paramref name="destination"/>
    /// (reusing its arrays; see <see cref="CreateGradientBuffers"/>). The local weights do not change.
    /// </summary>
    /// <exception cref="ArgumentException">The destination's names or shapes do not match the model.</exception>
    public LossStatistics ComputeGradientsInto(NStepWindow window, NamedTensors destination)
    {
        ArgumentNullException.ThrowIfNull(window);
        return ComputeGradientsInto([window], destination);
    }

    /// <summary>
    /// Writes the gradient of the summed n-step loss of <paramref name="windows"/> (one per environment stepped in lock
    /// step, each bootstrapped from its own last state) into <paramref name="destination"/>, with one forward and one
    /// backward pass. The local weights do not change.
    /// </summary>
    /// <exception cref="ArgumentException">No windows, or the destination's names or shapes do not match the model.</exception>
    public LossStatistics ComputeGradientsInto(IReadOnlyList<NStepWindow> windows, NamedTensors destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(windows);
        ParameterExchange.ValidateLayout(Model, destination, "gradient");
        using var flush = FlushDenormalsScope.Enter();
        using var scope = NewDisposeScope();
        Model.zero_grad();
        var loss = NStepLoss.Compute(Model, windows, Hyperparameters);
        loss.Total.backward();
        ParameterExchange.ReadGradients(Model, destination);
        Model.zero_grad();
        return loss.Statistics;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Model.Dispose();
    }
}

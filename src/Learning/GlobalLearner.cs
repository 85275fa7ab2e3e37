using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>What one optimiser step did.</summary>
/// <param name="Loss">The loss of the window (before the step).</param>
/// <param name="GradientNorm">Global L2 norm of the gradient that was applied.</param>
public readonly record struct UpdateStatistics(LossStatistics Loss, double GradientNorm);

/// <summary>What <see cref="GlobalLearner.ApplyGradients"/> did with a pushed gradient.</summary>
/// <param name="GradientNorm">Global L2 norm of the pushed gradient (before clipping).</param>
/// <param name="Applied">True when the step was kept; false when its result was not finite and it was undone.</param>
public readonly record struct GradientStep(double GradientNorm, bool Applied);

/// <summary>
/// A model with its own Adam optimiser (the seed's: betas (0.95, 0.999), learning rate by the seed's rule).
/// It is the single-process trainer's learner (<see cref="Update(IReadOnlyList{NStepWindow}, long)"/>), and the A3C parameter server's global learner
/// (<see cref="ApplyGradients"/> with gradients pushed by <see cref="GradientLearner"/>s, plus
/// <see cref="ExportParameters"/> for workers to pull). Not thread-safe: callers serialise access.
/// </summary>
public sealed class GlobalLearner : IDisposable
{
    private bool _disposed;

    /// <summary>A learner with a new network initialised from <paramref name="seed"/>.</summary>
    public GlobalLearner(A3cHyperparameters hyperparameters, long seed)
        : this(hyperparameters, ActorCritic.Create(hyperparameters ?? throw new ArgumentNullException(nameof(hyperparameters)), seed))
    {
    }

    /// <summary>A learner that takes ownership of <paramref name="model"/> (disposed with the learner).</summary>
    public GlobalLearner(A3cHyperparameters hyperparameters, ActorCritic model)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(model);
        hyperparameters.Validate();
        Hyperparameters = hyperparameters.Clone();
        Model = model;
        Optimizer = new AdamOptimizer(model, Hyperparameters);
    }

    /// <summary>The (validated, private copy of the) hyper-parameters in force.</summary>
    public A3cHyperparameters Hyperparameters { get; }

    /// <summary>The network being trained.</summary>
    public ActorCritic Model { get; }

    /// <summary>The Adam optimiser over <see cref="Model"/>'s parameters.</summary>
    public AdamOptimizer Optimizer { get; }

    /// <summary>
    /// One seed update on <paramref name="window"/>: zero the gradients, evaluate the n-step loss, backward, one Adam
    /// step.
    /// </summary>
    public UpdateStatistics Update(NStepWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return Update([window], environmentSteps: 0);
    }

    /// <summary>
    /// One update on the windows of K lock-step environments (each bootstrapped from its own last state): zero the
    /// gradients, evaluate the n-step loss over all of them, backward, clip the gradient's global norm
    /// (<see cref="A3cHyperparameters.MaxGradientNorm"/>), one Adam step at the learning rate scheduled for
    /// <paramref name="environmentSteps"/>.
    /// </summary>
    public UpdateStatistics Update(IReadOnlyList<NStepWindow> windows, long environmentSteps)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(windows);
        using var flush = FlushDenormalsScope.Enter();
        using var scope = NewDisposeScope();
        Optimizer.ZeroGrad();
        var loss = NStepLoss.Compute(Model, windows, Hyperparameters);
        loss.Total.backward();
        var norm = ClipAndStep(environmentSteps);
        return new UpdateStatistics(loss.Statistics, norm);
    }

    /// <summary>
    /// The A3C server step: sets every parameter's gradient to <paramref name="gradients"/> (matched by name), clips its
    /// global norm (<see cref="A3cHyperparameters.MaxGradientNorm"/>) and takes one step of the shared Adam at the
    /// learning rate scheduled for <paramref name="environmentSteps"/>. Validates everything first; on error nothing
    /// changes. A step whose result is not finite (weights or Adam moments: finite but huge gradients overflow the
    /// second moment) is undone: the weights, moments and step counts are put back as they were, and the result says
    /// so, so one bad gradient can never poison the model.
    /// </summary>
    /// <returns>The global L2 norm of the pushed gradient (before clipping), and whether the step was kept.</returns>
    /// <exception cref="ArgumentException">A missing or unknown name, a wrong shape or size, or a non-finite value.</exception>
    public GradientStep ApplyGradients(NamedTensors gradients, long environmentSteps = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(gradients);
        using var scope = NewDisposeScope();
        ParameterExchange.WriteGradients(Model, gradients);
        Optimizer.RememberState();
        var norm = ClipAndStep(environmentSteps);
        if (Optimizer.StateIsFinite())
        {
            return new GradientStep(norm, Applied: true);
        }

        Optimizer.RestoreRememberedState();
        return new GradientStep(norm, Applied: false);
    }

    /// <summary>
    /// Scales the gradients by <c>max / (norm + 1e-6)</c> when that is below 1 (PyTorch's <c>clip_grad_norm_</c>), sets the
    /// scheduled learning rate and takes one Adam step; returns the norm before clipping.
    /// </summary>
    private double ClipAndStep(long environmentSteps)
    {
        var norm = ParameterExchange.GradientNorm(Model);
        var maxNorm = Hyperparameters.MaxGradientNorm;
        if (maxNorm > 0)
        {
            var coefficient = maxNorm / (norm + 1e-6);
            if (coefficient < 1.0)
            {
                ParameterExchange.ScaleGradients(Model, coefficient);
            }
        }

        Optimizer.LearningRate = Hyperparameters.LearningRateAt(environmentSteps);
        Optimizer.Step();
        return norm;
    }

    /// <summary>
    /// Folds the statistics of newly seen observations into the model's normalisation statistics (Chan's merge); the
    /// model normalises with the merged statistics from now on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not normalise observations.</exception>
    public void MergeObservations(ObservationStatistics observed) => Model.SetObservationStatistics(MergedObservations(observed));

    /// <summary>The model's normalisation statistics merged with <paramref name="observed"/>, without setting them.</summary>
    /// <exception cref="InvalidOperationException">The model does not normalise observations.</exception>
    /// <exception cref="ArgumentException">The sizes differ, or the merge overflows.</exception>
    public ObservationStatistics MergedObservations(ObservationStatistics observed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(observed);
        var current = Model.ObservationStatistics
            ?? throw new InvalidOperationException("This model does not normalise observations (NormalizeObservations is off).");
        return current.Merge(observed);
    }

    /// <summary>A fresh copy of every weight by name (what workers pull).</summary>
    public NamedTensors ExportParameters()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ParameterExchange.Export(Model);
    }

    /// <summary>Copies every weight into the buffers of <paramref name="destination"/> (same names and shapes), reusing them.</summary>
    /// <exception cref="ArgumentException">The destination's names or shapes do not match the model.</exception>
    public void ExportParametersInto(NamedTensors destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ParameterExchange.ExportInto(Model, destination, "parameter");
    }

    /// <summary>
    /// Overwrites every weight with <paramref name="parameters"/> (matched by name). The optimiser state is kept.
    /// Validates everything first; on error nothing changes. Weights are written in place, so do not import while a
    /// loss graph of this model still waits for its backward pass.
    /// </summary>
    /// <exception cref="ArgumentException">A missing or unknown name, a wrong shape or size, or a non-finite value.</exception>
    public void ImportParameters(NamedTensors parameters)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ParameterExchange.Import(Model, parameters);
    }

    /// <summary>Saves weights, the full Adam state, <paramref name="counters"/> and <paramref name="extraJson"/> atomically.</summary>
    /// <seealso cref="CheckpointStore.Save"/>
    public void SaveCheckpoint(string path, TrainingCounters counters, string? extraJson = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckpointStore.Save(path, Model, Optimizer, counters, extraJson);
    }

    /// <summary>Restores weights and the full Adam state from <paramref name="path"/>.</summary>
    /// <seealso cref="CheckpointStore.Load"/>
    public LoadedCheckpoint LoadCheckpoint(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return CheckpointStore.Load(path, Model, Optimizer);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Optimizer.Dispose();
        Model.Dispose();
    }
}

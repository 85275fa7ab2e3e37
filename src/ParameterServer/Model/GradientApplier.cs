using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Model;

/// <summary>
/// The apply step of an admitted push on the global learner: the observation statistics merged first (a merge that
/// overflows changes nothing), then one Adam step, undone when its result is not finite, then the merged statistics set.
/// Either the whole push lands or nothing does. Not thread-safe (the global model's lock guards it).
/// </summary>
public sealed class GradientApplier(GlobalLearner learner, ILogger logger)
{
    private readonly GlobalLearner _learner = learner ?? throw new ArgumentNullException(nameof(learner));
    private readonly ILogger _logger = logger ?? throw new ArgumentNullException(nameof(logger));

    /// <summary>
    /// Applies <paramref name="command"/> as the step after <paramref name="environmentStepsBefore"/> environment steps
    /// (the learning-rate schedule's clock).
    /// </summary>
    /// <returns>Null when applied; otherwise why nothing was applied.</returns>
    public string? TryApply(PushCommand command, long environmentStepsBefore)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObservationStatistics? merged = null;
        if (command.Observed is { } observed)
        {
            try
            {
                merged = _learner.MergedObservations(observed);
            }
            catch (Exception exception) when (exception is ArgumentException or OverflowException)
            {
                return $"the observation statistics do not merge into finite ones ({exception.Message}); not applied";
            }
        }

        if (!_learner.ApplyGradients(command.Gradients, environmentStepsBefore).Applied)
        {
            ServerLog.UnsafeStepUndone(_logger, command.WorkerId, command.UpdateId, command.GradientNorm);
            return $"the optimiser step on this gradient (norm {command.GradientNorm:G4}) gave non-finite weights or Adam moments; it was undone and not applied";
        }

        if (merged is not null)
        {
            _learner.Model.SetObservationStatistics(merged);
        }

        return null;
    }
}

using System.ComponentModel.DataAnnotations;
using A3cGrpc.ServiceDefaults;
using A3cGrpc.Simulation;

namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// How the policy is evaluated while it trains. The seed's evaluation was too brief to show progress
/// (docs/seed-report.md, "What the report itself says went wrong"); these defaults run ten full episodes
/// (about 10,000 batched forward-only steps) every 20,000 environment steps, but never more often than keeps
/// evaluation within <see cref="MaxShare"/> of the wall-clock time.
/// </summary>
public sealed class EvaluationOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Evaluation";

    /// <summary>Evaluate every this many training environment steps.</summary>
    [Range(1, long.MaxValue)]
    public long EveryEnvSteps { get; set; } = 20_000;

    /// <summary>
    /// The largest share of wall-clock time evaluations may take: after an evaluation that took d seconds, the next waits
    /// at least d / MaxShare seconds from its start (and <see cref="EveryEnvSteps"/> steps). The evaluator runs on a core
    /// the training also needs; 1 evaluates at every step interval whatever it costs.
    /// </summary>
    [Range(0.001, 1.0)]
    public double MaxShare { get; set; } = 0.05;

    /// <summary>Full episodes (of <see cref="SwingUpConstants.MaxEpisodeSteps"/> steps) per evaluation.</summary>
    [Range(1, 1000)]
    public int Episodes { get; set; } = 10;

    /// <summary>
    /// Base seed of the evaluation environments. Every evaluation uses the same seeds, so successive
    /// evaluations start from the same initial angles and differ only by the policy.
    /// </summary>
    public int Seed { get; set; } = 1_000_003;

    /// <summary>
    /// Episodes of the evaluation that confirms the best policy when a run stops: gym's definition of solved is a mean
    /// over 100 consecutive episodes.
    /// </summary>
    [Range(1, 10_000)]
    public int ConfirmationEpisodes { get; set; } = 100;

    /// <summary>Base seed of the confirming episodes (other episodes than the periodic evaluations', which chose the best).</summary>
    public int ConfirmationSeed { get; set; } = 2_000_003;

    /// <summary>"Solved": an evaluation mean at or above gym's registered reward threshold (docs/env-spec.md §1).</summary>
    public double SolvedThreshold { get; set; } = SwingUpConstants.RewardThreshold;

    /// <summary>The seed report's own bar: it printed "Solved" at an average score of about 400 (docs/seed-report.md).</summary>
    public double ProgressThreshold { get; set; } = 400.0;

    /// <summary>Throws <see cref="ValidationException"/> listing every value that is out of range.</summary>
    public void Validate() => OptionsValidation.Validate(this, SectionName);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!double.IsFinite(SolvedThreshold) || !double.IsFinite(ProgressThreshold))
        {
            yield return new ValidationResult(
                "Evaluation thresholds must be finite numbers.", [nameof(SolvedThreshold), nameof(ProgressThreshold)]);
        }
    }
}

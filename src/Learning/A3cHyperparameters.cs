using System.ComponentModel.DataAnnotations;

namespace A3cGrpc.Learning;

/// <summary>
/// Every hyper-parameter of the seed's n-step actor-critic (A3C) in one place, with the seed's values as
/// defaults. The source of each value is <c>docs/seed-report.md</c> ("the seed" below).
/// Bind it from configuration section <see cref="SectionName"/> and call <see cref="Validate()"/> (or use
/// <c>ValidateDataAnnotations()</c>: the cross-field rules run through <see cref="IValidatableObject"/>).
/// </summary>
/// <remarks>
/// Collection-valued settings (<see cref="HiddenSizes"/>) default to <see langword="null"/>, meaning "the seed's
/// value", because the configuration binder appends bound items to a non-empty default collection instead
/// of replacing it.
/// </remarks>
public sealed class A3cHyperparameters : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "A3c";

    /// <summary>The seed's learning rate when <see cref="NSteps"/> is below <see cref="SmallNStepsThreshold"/>.</summary>
    public const double SmallNStepsLearningRate = 3e-5;

    /// <summary>The seed's learning rate when <see cref="NSteps"/> is at least <see cref="SmallNStepsThreshold"/>.</summary>
    public const double LargeNStepsLearningRate = 4e-4;

    /// <summary>The seed's rule switches learning rate at this window length ("3e-5 when n-steps &lt; 3, otherwise 4e-4").</summary>
    public const int SmallNStepsThreshold = 3;

    /// <summary>Seed code: trunk <c>Linear(5, 512) -> ReLU -> Linear(512, 256) -> ReLU</c> (its prose says 256 and 128).</summary>
    private static readonly int[] _seedHiddenSizes = [512, 256];

    /// <summary>Transitions per update window. Seed: its best run ("8-step, single process") used 8.</summary>
    [Range(1, 10_000)]
    public int NSteps { get; set; } = 8;

    /// <summary>Discount factor. Seed: <c>GAMMA = 0.95</c>. (Range attributes also reject NaN and infinities.)</summary>
    [Range(0.0, 1.0)]
    public double Gamma { get; set; } = 0.95;

    /// <summary>
    /// Adam learning rate; <see langword="null"/> applies the seed's rule (see <see cref="EffectiveLearningRate"/>).
    /// </summary>
    [Range(1e-12, 1.0)]
    public double? LearningRate { get; set; }

    /// <summary>Adam beta1. Seed: "Adam, betas (0.95, 0.999)".</summary>
    [Range(0.0, 0.999999999)]
    public double AdamBeta1 { get; set; } = 0.95;

    /// <summary>Adam beta2. Seed: "Adam, betas (0.95, 0.999)".</summary>
    [Range(0.0, 0.999999999)]
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Adam epsilon. The seed does not set it, so it is PyTorch's default, 1e-8.</summary>
    [Range(1e-20, 1.0)]
    public double AdamEpsilon { get; set; } = 1e-8;

    /// <summary>Entropy bonus weight. Seed: <c>actor_loss -= log_prob * temp + 0.01 * entropy</c>.</summary>
    [Range(0.0, 100.0)]
    public double EntropyCoefficient { get; set; } = 0.01;

    /// <summary>
    /// Weight of the critic loss in the total. Seed: <c>actor_loss + 0.5 * critic_loss</c>, where the critic loss
    /// itself already sums <c>0.5 * advantage^2</c>.
    /// </summary>
    [Range(0.0, 100.0)]
    public double CriticLossCoefficient { get; set; } = 0.5;

    /// <summary>
    /// Widths of the shared trunk's hidden layers (each followed by ReLU); <see langword="null"/> means the seed's
    /// code, [512, 256] (see <see cref="EffectiveHiddenSizes"/>).
    /// </summary>
    public int[]? HiddenSizes { get; set; }

    /// <summary>Scale before the clamp of the mean. Seed: <c>mu = clamp(2 * tanh(Linear(h)), -1, 1)</c>.</summary>
    [Range(1e-6, 1e6)]
    public double MuScale { get; set; } = 2.0;

    /// <summary>Floor added to the standard deviation. Seed: <c>std = softplus(Linear(h)) + 1e-5</c>.</summary>
    [Range(0.0, 1.0)]
    public double StdEpsilon { get; set; } = 1e-5;

    /// <summary>Added to the density inside the log. Seed: "log-prob of the sample (+1e-6 inside the log of the density)".</summary>
    [Range(0.0, 1.0)]
    public double LogProbEpsilon { get; set; } = 1e-6;

    /// <summary>Observation width. Seed: "Observation: 5 values".</summary>
    [Range(1, 1_000_000)]
    public int ObservationSize { get; set; } = 5;

    /// <summary>Action width. Seed: "Action: 1 value".</summary>
    [Range(1, 1_000)]
    public int ActionSize { get; set; } = 1;

    /// <summary>Lower action bound (clip of the sent action and clamp of the mean). Seed: "kept in [-1, 1]".</summary>
    [Range(-1e6, 1e6)]
    public double ActionLow { get; set; } = -1.0;

    /// <summary>Upper action bound (clip of the sent action and clamp of the mean). Seed: "kept in [-1, 1]".</summary>
    [Range(-1e6, 1e6)]
    public double ActionHigh { get; set; } = 1.0;

    /// <summary>
    /// The learning rate in force: <see cref="LearningRate"/> when set, otherwise the seed's rule:
    /// 3e-5 when <see cref="NSteps"/> &lt; 3, else 4e-4.
    /// </summary>
    public double EffectiveLearningRate =>
        LearningRate ?? (NSteps < SmallNStepsThreshold ? SmallNStepsLearningRate : LargeNStepsLearningRate);

    /// <summary>The hidden layer widths in force: <see cref="HiddenSizes"/> when set, otherwise the seed's [512, 256].</summary>
    public IReadOnlyList<int> EffectiveHiddenSizes => HiddenSizes ?? _seedHiddenSizes;

    /// <summary>A deep copy (the hidden sizes array is copied too).</summary>
    public A3cHyperparameters Clone()
    {
        var copy = (A3cHyperparameters)MemberwiseClone();
        copy.HiddenSizes = HiddenSizes is null ? null : (int[])HiddenSizes.Clone();
        return copy;
    }

    /// <summary>
    /// Checks every range and cross-field rule and throws one <see cref="ValidationException"/> listing all problems.
    /// </summary>
    /// <exception cref="ValidationException">A value is out of range or inconsistent.</exception>
    public void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            var problems = string.Join("; ", results.Select(r => r.ErrorMessage));
            throw new ValidationException($"Invalid {SectionName} hyper-parameters: {problems}");
        }
    }

    /// <summary>The rules that a single range attribute cannot express.</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (HiddenSizes is { } sizes)
        {
            if (sizes.Length == 0)
            {
                yield return new ValidationResult(
                    "HiddenSizes must name at least one layer (leave it unset for the seed's [512, 256]).",
                    [nameof(HiddenSizes)]);
            }

            for (var i = 0; i < sizes.Length; i++)
            {
                if (sizes[i] is < 1 or > 1_000_000)
                {
                    yield return new ValidationResult(
                        $"HiddenSizes[{i}] must be in [1, 1000000], got {sizes[i]}.", [nameof(HiddenSizes)]);
                }
            }
        }

        if (!(ActionLow < ActionHigh))
        {
            yield return new ValidationResult(
                $"ActionLow ({ActionLow}) must be below ActionHigh ({ActionHigh}).", [nameof(ActionLow), nameof(ActionHigh)]);
        }
    }
}

using System.ComponentModel.DataAnnotations;
using A3cGrpc.ServiceDefaults;

namespace A3cGrpc.Experiments.SingleProcess;

/// <summary>
/// The run itself: seed and budget of a single-process n-step actor-critic run (the seed report's modes
/// 1 and 2). Hyper-parameters live in <see cref="Learning.A3cHyperparameters"/>, evaluation in
/// <see cref="Evaluation.EvaluationOptions"/>.
/// </summary>
public sealed class TrainingOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Training";

    /// <summary>Seeds the network's initial weights, the action sampling and the training environment.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Stop after this many training environment steps (null: no step budget).</summary>
    [Range(1, long.MaxValue)]
    public long? MaxEnvSteps { get; set; }

    /// <summary>Stop after this much wall-clock time (null: no time budget).</summary>
    public TimeSpan? MaxDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Stop at the first evaluation whose mean reaches the solved threshold.</summary>
    public bool StopWhenSolved { get; set; } = true;

    /// <summary>Throws <see cref="ValidationException"/> listing every unusable setting.</summary>
    public void Validate() => OptionsValidation.Validate(this, SectionName);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MaxDuration is { } duration && duration <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"The time budget must be positive (got {duration}).", [nameof(MaxDuration)]);
        }

        if (MaxEnvSteps is null && MaxDuration is null && !StopWhenSolved)
        {
            yield return new ValidationResult(
                "A run needs a budget: an env-step limit, a time limit, or stopping when solved.",
                [nameof(MaxEnvSteps), nameof(MaxDuration), nameof(StopWhenSolved)]);
        }
    }
}

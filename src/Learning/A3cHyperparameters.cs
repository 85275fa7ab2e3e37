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
    /// The preset these values started from (<see cref="HyperparameterPresets"/>), recorded so that a run's
    /// configuration names it; single settings bound after the preset override its values.
    /// </summary>
    public string Preset { get; set; } = HyperparameterPresets.SeedName;

    /// <summary>The seed's count of environments in the single process.</summary>
    public const int SingleProcessEnvironments = 1;

    /// <summary>The distributed system's count of environments per worker before presets existed.</summary>
    public const int WorkerEnvironments = 16;

    /// <summary>
    /// Environments stepped in lock step by one learner (a worker, or the single-process trainer): each update
    /// learns from K windows of up to n transitions. Null (the seed): each mode's own count,
    /// <see cref="SingleProcessEnvironments"/> in the single process and <see cref="WorkerEnvironments"/> per worker,
    /// as before presets existed.
    /// </summary>
    [Range(1, MaxEnvironments)]
    public int? Environments { get; set; }

    /// <summary>The most environments one learner steps (the bound of <see cref="Environments"/>, and of a push's statistics).</summary>
    public const int MaxEnvironments = 4096;

    /// <summary>The environments one learner steps: <see cref="Environments"/>, or its mode's own count when null.</summary>
    public int EnvironmentsPerLearner(bool distributed) =>
        Environments ?? (distributed ? WorkerEnvironments : SingleProcessEnvironments);

    /// <summary>
    /// Spread the K environments' episodes over the episode's length: the first episode of environment i of a session is
    /// cut (a time-limit truncation, bootstrapped) after (i + 1)/K of the time limit, so that afterwards every update
    /// sees states from every phase of an episode instead of K copies of the same phase; windows then end at each
    /// environment's own episode end, and updates come every n steps. Seed: off (episodes in lock step, an update at
    /// every episode end).
    /// </summary>
    public bool StaggerEpisodes { get; set; }

    /// <summary>How the policy mean is made from the actor's output. Seed: <see cref="PolicyMeanKind.ClampedTanh"/>.</summary>
    public PolicyMeanKind PolicyMean { get; set; } = PolicyMeanKind.ClampedTanh;

    /// <summary>How the standard deviation is made. Seed: <see cref="PolicyStdKind.SoftplusHead"/>.</summary>
    public PolicyStdKind PolicyStd { get; set; } = PolicyStdKind.SoftplusHead;

    /// <summary>
    /// Weigh a sample that the environment clips by the probability of its whole clipped tail instead of its density
    /// (<see cref="GaussianPolicy.ClippedLogProbability"/>: the clipped action policy gradient). Seed: the density of the
    /// unclipped sample (+ <see cref="LogProbEpsilon"/>).
    /// </summary>
    public bool ClippedActionLogProbability { get; set; }

    /// <summary>
    /// Weight of a penalty on a mean outside the action bounds, <c>c · (relu(μ − high)² + relu(low − μ)²)</c> per transition:
    /// an unsquashed mean whose samples all clip to one bound gets no other signal to come back. 0: none (the seed).
    /// </summary>
    [Range(0.0, 1e6)]
    public double MeanBoundPenalty { get; set; }

    /// <summary>Initial log σ of <see cref="PolicyStdKind.StateIndependent"/> (0: σ = 1).</summary>
    [Range(-20.0, 5.0)]
    public double InitialLogStd { get; set; }

    /// <summary>Lower bound of log σ for <see cref="PolicyStdKind.StateIndependent"/> (the parameter is clamped in the forward pass).</summary>
    [Range(-20.0, 5.0)]
    public double MinLogStd { get; set; } = -5.0;

    /// <summary>Upper bound of log σ for <see cref="PolicyStdKind.StateIndependent"/>.</summary>
    [Range(-20.0, 5.0)]
    public double MaxLogStd { get; set; } = 2.0;

    /// <summary>Non-linearity after each hidden layer. Seed: ReLU.</summary>
    public HiddenActivation Activation { get; set; } = HiddenActivation.ReLU;

    /// <summary>
    /// When true the critic has a trunk of its own (same widths, parameters <c>critic.*</c>) instead of sharing the
    /// actor's. Seed: one shared trunk.
    /// </summary>
    public bool SeparateCritic { get; set; }

    /// <summary>
    /// Orthogonal initial weights (gain √2 in the trunks, 0.01 for the mean head, 1 for the value head; zero biases)
    /// instead of PyTorch's default uniform initialisation. Seed: PyTorch's default.
    /// </summary>
    public bool OrthogonalInitialization { get; set; }

    /// <summary>
    /// λ of generalised advantage estimation: the actor's weight of log π(a_i|s_i) is
    /// <c>A_i = δ_i + γλ A_{i+1}</c>. λ = 1 is the seed's accumulated TD error exactly, and the critic's target stays
    /// the seed's n-step return; below 1 the critic's target is the λ-return <c>A_i + V(s_i)</c>.
    /// </summary>
    [Range(0.0, 1.0)]
    public double GaeLambda { get; set; } = 1.0;

    /// <summary>
    /// Normalise observations with running statistics of every observation trained on (mean and variance, merged
    /// across workers by the parameter server, versioned with the weights), clipped to ±<see cref="ObservationClip"/>.
    /// Seed: raw observations.
    /// </summary>
    public bool NormalizeObservations { get; set; }

    /// <summary>Normalised observations are clipped to ±this.</summary>
    [Range(1e-3, 1e6)]
    public double ObservationClip { get; set; } = 10.0;

    /// <summary>Sum or mean over an update's transitions. Seed: sums.</summary>
    public LossReduction LossReduction { get; set; } = LossReduction.Sum;

    /// <summary>Largest global L2 norm of a gradient before the optimiser step (it is scaled down to this); 0: no clipping. Seed: none.</summary>
    [Range(0.0, 1e12)]
    public double MaxGradientNorm { get; set; }

    /// <summary>
    /// Environment steps over which the learning rate falls linearly to <see cref="FinalLearningRateFraction"/> of
    /// <see cref="EffectiveLearningRate"/> (then stays there); 0: a constant learning rate (the seed).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long LearningRateDecaySteps { get; set; }

    /// <summary>The fraction of the learning rate left at the end of <see cref="LearningRateDecaySteps"/>.</summary>
    [Range(0.0, 1.0)]
    public double FinalLearningRateFraction { get; set; }

    /// <summary>
    /// The learning rate in force: <see cref="LearningRate"/> when set, otherwise the seed's rule:
    /// 3e-5 when <see cref="NSteps"/> &lt; 3, else 4e-4.
    /// </summary>
    public double EffectiveLearningRate =>
        LearningRate ?? (NSteps < SmallNStepsThreshold ? SmallNStepsLearningRate : LargeNStepsLearningRate);

    /// <summary>The hidden layer widths in force: <see cref="HiddenSizes"/> when set, otherwise the seed's [512, 256].</summary>
    public IReadOnlyList<int> EffectiveHiddenSizes => HiddenSizes ?? _seedHiddenSizes;

    /// <summary>
    /// The learning rate after <paramref name="environmentSteps"/> steps of training: <see cref="EffectiveLearningRate"/>,
    /// falling linearly to <see cref="FinalLearningRateFraction"/> of it over <see cref="LearningRateDecaySteps"/>.
    /// </summary>
    public double LearningRateAt(long environmentSteps)
    {
        var rate = EffectiveLearningRate;
        if (LearningRateDecaySteps <= 0)
        {
            return rate;
        }

        var progress = Math.Clamp((double)Math.Max(environmentSteps, 0) / LearningRateDecaySteps, 0.0, 1.0);
        var fraction = 1.0 - ((1.0 - FinalLearningRateFraction) * progress);
        // A schedule that reaches zero keeps a tiny positive rate (Adam needs one), far below any useful step.
        return Math.Max(rate * fraction, rate * 1e-6);
    }

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

        if (!(MinLogStd <= InitialLogStd && InitialLogStd <= MaxLogStd))
        {
            yield return new ValidationResult(
                $"InitialLogStd ({InitialLogStd}) must lie in [MinLogStd, MaxLogStd] = [{MinLogStd}, {MaxLogStd}].",
                [nameof(InitialLogStd), nameof(MinLogStd), nameof(MaxLogStd)]);
        }

        if (!HyperparameterPresets.IsKnown(Preset))
        {
            yield return new ValidationResult(
                $"Preset '{Preset}' is not known; the presets are {string.Join(", ", HyperparameterPresets.Names)}.", [nameof(Preset)]);
        }

        foreach (var (name, value) in new[] { (nameof(PolicyMean), Enum.IsDefined(PolicyMean)), (nameof(PolicyStd), Enum.IsDefined(PolicyStd)), (nameof(Activation), Enum.IsDefined(Activation)), (nameof(LossReduction), Enum.IsDefined(LossReduction)) })
        {
            if (!value)
            {
                yield return new ValidationResult($"{name} has a value that is not one of its names.", [name]);
            }
        }

        if (!(ActionLow < ActionHigh))
        {
            yield return new ValidationResult(
                $"ActionLow ({ActionLow}) must be below ActionHigh ({ActionHigh}).", [nameof(ActionLow), nameof(ActionHigh)]);
        }
    }
}

namespace A3cGrpc.Learning;

/// <summary>
/// Named sets of hyper-parameters, the one place their values live. <see cref="SeedName"/> is the seed report's
/// network and settings (the defaults of <see cref="A3cHyperparameters"/>), kept so its experiments stay
/// reproducible; <see cref="DefaultName"/> is what a run uses unless told otherwise, chosen by measurement
/// (docs/experiments.md). Single settings bound after a preset override it.
/// </summary>
public static class HyperparameterPresets
{
    /// <summary>The seed report's configuration.</summary>
    public const string SeedName = "seed";

    /// <summary>The measured default.</summary>
    public const string DefaultName = "default";

    /// <summary>Every preset's name.</summary>
    public static IReadOnlyList<string> Names { get; } = [DefaultName, SeedName];

    /// <summary>True when <paramref name="name"/> names a preset (ordinal, case-insensitive).</summary>
    public static bool IsKnown(string? name) => Names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A new instance holding the preset's values (unknown names are refused).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a preset.</exception>
    public static A3cHyperparameters Create(string? name)
    {
        if (string.Equals(name, SeedName, StringComparison.OrdinalIgnoreCase))
        {
            return new A3cHyperparameters();
        }

        if (string.Equals(name, DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            return Default();
        }

        throw new ArgumentException($"Preset '{name}' is not known; the presets are {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>The default preset (its measurements: docs/experiments.md, "The default preset").</summary>
    private static A3cHyperparameters Default() => new()
    {
        Preset = DefaultName,
        Environments = 16,
        NSteps = 8,
        Gamma = 0.99,
        GaeLambda = 0.95,
        LearningRate = 7e-4,
        LearningRateDecaySteps = 4_000_000,
        FinalLearningRateFraction = 0.05,
        AdamBeta1 = 0.9,
        AdamBeta2 = 0.999,
        AdamEpsilon = 1e-5,
        EntropyCoefficient = 0.0,
        CriticLossCoefficient = 0.5,
        StaggerEpisodes = true,
        HiddenSizes = [128, 128],
        Activation = HiddenActivation.Tanh,
        SeparateCritic = true,
        OrthogonalInitialization = true,
        PolicyMean = PolicyMeanKind.Linear,
        PolicyStd = PolicyStdKind.StateIndependent,
        InitialLogStd = 0.0,
        LogProbEpsilon = 0.0,
        MeanBoundPenalty = 1.0,
        NormalizeObservations = true,
        LossReduction = LossReduction.Mean,
        MaxGradientNorm = 0.5,
    };
}

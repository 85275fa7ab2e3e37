using A3cGrpc.Contracts.V1;
using A3cGrpc.Learning;

namespace A3cGrpc.Distributed.Wire;

/// <summary>
/// The learning hyper-parameters on the wire (<c>ModelDescription.hyperparameters</c>): the server describes its own,
/// and every worker builds its learner from that description, so all of them share the server's values.
/// </summary>
public static class HyperparameterWire
{
    /// <summary>The wire form of <paramref name="hyperparameters"/> (the learning rate as the effective one).</summary>
    public static Hyperparameters ToProto(A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var proto = new Hyperparameters
        {
            Preset = hyperparameters.Preset,
            NSteps = hyperparameters.NSteps,
            Environments = hyperparameters.Environments ?? 0,
            StaggerEpisodes = hyperparameters.StaggerEpisodes,
            ClippedActionLogProbability = hyperparameters.ClippedActionLogProbability,
            MeanBoundPenalty = hyperparameters.MeanBoundPenalty,
            Gamma = hyperparameters.Gamma,
            GaeLambda = hyperparameters.GaeLambda,
            LearningRate = hyperparameters.EffectiveLearningRate,
            LearningRateDecaySteps = hyperparameters.LearningRateDecaySteps,
            FinalLearningRateFraction = hyperparameters.FinalLearningRateFraction,
            AdamBeta1 = hyperparameters.AdamBeta1,
            AdamBeta2 = hyperparameters.AdamBeta2,
            AdamEpsilon = hyperparameters.AdamEpsilon,
            EntropyCoefficient = hyperparameters.EntropyCoefficient,
            CriticLossCoefficient = hyperparameters.CriticLossCoefficient,
            NormalizeObservations = hyperparameters.NormalizeObservations,
            ObservationClip = hyperparameters.ObservationClip,
            LossReduction = (Contracts.V1.LossReduction)hyperparameters.LossReduction,
            MaxGradientNorm = hyperparameters.MaxGradientNorm,
            Activation = (Contracts.V1.HiddenActivation)hyperparameters.Activation,
            SeparateCritic = hyperparameters.SeparateCritic,
            OrthogonalInitialization = hyperparameters.OrthogonalInitialization,
            PolicyMean = (PolicyMean)hyperparameters.PolicyMean,
            PolicyStd = (PolicyStd)hyperparameters.PolicyStd,
            InitialLogStd = hyperparameters.InitialLogStd,
            MinLogStd = hyperparameters.MinLogStd,
            MaxLogStd = hyperparameters.MaxLogStd,
            MuScale = hyperparameters.MuScale,
            StdEpsilon = hyperparameters.StdEpsilon,
            LogProbEpsilon = hyperparameters.LogProbEpsilon,
        };
        proto.HiddenSizes.AddRange(hyperparameters.EffectiveHiddenSizes);
        return proto;
    }

    /// <summary>The hyper-parameters <paramref name="description"/> describes, validated.</summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The description holds invalid values.</exception>
    /// <exception cref="WireFormatException">The description has no hyper-parameters.</exception>
    public static A3cHyperparameters FromDescription(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var proto = description.Hyperparameters ?? throw new WireFormatException("The model description has no hyper-parameters.");
        var hyperparameters = new A3cHyperparameters
        {
            Preset = proto.Preset,
            NSteps = proto.NSteps,
            Environments = proto.Environments == 0 ? null : proto.Environments,
            StaggerEpisodes = proto.StaggerEpisodes,
            ClippedActionLogProbability = proto.ClippedActionLogProbability,
            MeanBoundPenalty = proto.MeanBoundPenalty,
            Gamma = proto.Gamma,
            GaeLambda = proto.GaeLambda,
            LearningRate = proto.LearningRate,
            LearningRateDecaySteps = proto.LearningRateDecaySteps,
            FinalLearningRateFraction = proto.FinalLearningRateFraction,
            AdamBeta1 = proto.AdamBeta1,
            AdamBeta2 = proto.AdamBeta2,
            AdamEpsilon = proto.AdamEpsilon,
            EntropyCoefficient = proto.EntropyCoefficient,
            CriticLossCoefficient = proto.CriticLossCoefficient,
            NormalizeObservations = proto.NormalizeObservations,
            ObservationClip = proto.ObservationClip,
            LossReduction = (Learning.LossReduction)proto.LossReduction,
            MaxGradientNorm = proto.MaxGradientNorm,
            Activation = (Learning.HiddenActivation)proto.Activation,
            SeparateCritic = proto.SeparateCritic,
            OrthogonalInitialization = proto.OrthogonalInitialization,
            PolicyMean = (PolicyMeanKind)proto.PolicyMean,
            PolicyStd = (PolicyStdKind)proto.PolicyStd,
            InitialLogStd = proto.InitialLogStd,
            MinLogStd = proto.MinLogStd,
            MaxLogStd = proto.MaxLogStd,
            HiddenSizes = [.. proto.HiddenSizes],
            MuScale = proto.MuScale,
            StdEpsilon = proto.StdEpsilon,
            LogProbEpsilon = proto.LogProbEpsilon,
            ObservationSize = description.ObservationSize,
            ActionSize = description.ActionSize,
        };
        hyperparameters.Validate();
        return hyperparameters;
    }
}

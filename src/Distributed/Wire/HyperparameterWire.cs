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
            NSteps = hyperparameters.NSteps,
            Gamma = hyperparameters.Gamma,
            LearningRate = hyperparameters.EffectiveLearningRate,
            AdamBeta1 = hyperparameters.AdamBeta1,
            AdamBeta2 = hyperparameters.AdamBeta2,
            EntropyCoefficient = hyperparameters.EntropyCoefficient,
            CriticLossCoefficient = hyperparameters.CriticLossCoefficient,
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
            NSteps = proto.NSteps,
            Gamma = proto.Gamma,
            LearningRate = proto.LearningRate,
            AdamBeta1 = proto.AdamBeta1,
            AdamBeta2 = proto.AdamBeta2,
            EntropyCoefficient = proto.EntropyCoefficient,
            CriticLossCoefficient = proto.CriticLossCoefficient,
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

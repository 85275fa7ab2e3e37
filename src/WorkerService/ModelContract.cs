using A3cGrpc.Contracts.V1;
using A3cGrpc.Learning;

namespace A3cGrpc.WorkerService;

/// <summary>The learning settings a worker takes from the parameter server, so every worker shares the server's.</summary>
internal static class ModelContract
{
    /// <summary>The hyper-parameters <paramref name="description"/> describes, validated.</summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The server described invalid values.</exception>
    public static A3cHyperparameters ToHyperparameters(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var h = description.Hyperparameters ?? throw new InvalidOperationException("The parameter server's model description has no hyper-parameters.");
        var hyperparameters = new A3cHyperparameters
        {
            NSteps = h.NSteps,
            Gamma = h.Gamma,
            LearningRate = h.LearningRate,
            AdamBeta1 = h.AdamBeta1,
            AdamBeta2 = h.AdamBeta2,
            EntropyCoefficient = h.EntropyCoefficient,
            CriticLossCoefficient = h.CriticLossCoefficient,
            HiddenSizes = [.. h.HiddenSizes],
            MuScale = h.MuScale,
            StdEpsilon = h.StdEpsilon,
            LogProbEpsilon = h.LogProbEpsilon,
            ObservationSize = description.ObservationSize,
            ActionSize = description.ActionSize,
        };
        hyperparameters.Validate();
        return hyperparameters;
    }
}

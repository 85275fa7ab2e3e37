using TorchSharp;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>Numbers that describe one loss evaluation (all sums are over the window, as in the seed).</summary>
/// <param name="Steps">Transitions in the window (n).</param>
/// <param name="TotalLoss">actor + CriticLossCoefficient x critic.</param>
/// <param name="ActorLoss">-sum(log_prob_i x temp_i + EntropyCoefficient x entropy_i).</param>
/// <param name="CriticLoss">sum(0.5 x (R_i - V(s_i))^2).</param>
/// <param name="EntropyMean">Mean policy entropy per action dimension over the window.</param>
/// <param name="LogProbMean">Mean log-probability of the taken (unclipped) actions.</param>
/// <param name="ValueMean">Mean V(s_i).</param>
/// <param name="ReturnMean">Mean bootstrapped return R_i.</param>
/// <param name="AdvantageMean">Mean accumulated TD advantage temp_i.</param>
/// <param name="MuMean">Mean policy mean over the window (all action dimensions).</param>
/// <param name="StdMean">Mean policy standard deviation over the window (all action dimensions).</param>
/// <param name="RewardSum">Sum of the window's rewards.</param>
public readonly record struct LossStatistics(
    int Steps,
    double TotalLoss,
    double ActorLoss,
    double CriticLoss,
    double EntropyMean,
    double LogProbMean,
    double ValueMean,
    double ReturnMean,
    double AdvantageMean,
    double MuMean,
    double StdMean,
    double RewardSum);

/// <summary>The loss tensor of one window (with its graph) and its statistics.</summary>
/// <param name="Total">Scalar loss to call <c>backward()</c> on; belongs to the caller's dispose scope.</param>
/// <param name="Statistics">The loss's parts as doubles.</param>
public readonly record struct NStepLossResult(Tensor Total, LossStatistics Statistics);

/// <summary>
/// The seed's n-step actor-critic loss (docs/seed-report.md, "Algorithm"), for one window:
/// <code>
/// R = V(s'_last)                       (no gradient)
/// for i = n-1 .. 0:
///     R = gamma R + r_i;  advantage_i = R - V(s_i);  critic += 0.5 advantage_i^2
///     delta_i = r_i + gamma V(s'_i) - V(s_i)   (no gradient);  temp = gamma temp + delta_i
///     actor -= log_prob_i temp + EntropyCoefficient entropy_i
/// total = actor + CriticLossCoefficient critic     (sums, not means)
/// </code>
/// </summary>
/// <remarks>
/// The seed runs one forward per environment step and keeps n graphs alive until the update. The weights do not
/// change inside a window (the only optimiser step is at its end, and in A3C the local model is only refreshed
/// between windows), so every mu_i, std_i, V(s_i) it recorded equals what one batched forward over the n states
/// gives at update time, and its per-step graphs sum to the same gradient as this batched graph. We therefore run
/// one forward over the n states (with gradient) and one no-gradient value forward over the n next states.
/// The only differences are in floating-point summation order.
/// </remarks>
public static class NStepLoss
{
    /// <summary>
    /// Evaluates the loss of <paramref name="window"/> under <paramref name="model"/>. Call inside a dispose scope:
    /// <see cref="NStepLossResult.Total"/> is registered in the caller's scope; intermediates are released here.
    /// </summary>
    /// <exception cref="ArgumentException">The window's sizes do not match the model.</exception>
    public static NStepLossResult Compute(ActorCritic model, NStepWindow window, A3cHyperparameters hyperparameters) =>
        Compute(model, window, hyperparameters, fixedTargets: null);

    /// <summary>
    /// The seed's targets for <paramref name="window"/> under the current weights (no gradient): returns bootstrapped
    /// from V(s'_last) and accumulated TD advantages.
    /// </summary>
    public static NStepTargets ComputeTargets(ActorCritic model, NStepWindow window, A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = new double[window.Count];
        var states = TensorData.FromSpan(window.States, [window.Count, window.ObservationSize], model.DType);
        TensorData.CopyTo(model.ValueOf(states), values);
        return Targets(model, window, values, hyperparameters);
    }

    /// <summary>
    /// The loss with given targets instead of ones computed from the current weights: the function whose ordinary
    /// gradient the seed's semi-gradient is (used to check gradients by finite differences).
    /// </summary>
    internal static NStepLossResult Compute(ActorCritic model, NStepWindow window, A3cHyperparameters hyperparameters, NStepTargets? fixedTargets)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        CheckSizes(model, window);

        var n = window.Count;
        var dtype = model.DType;
        using var scope = NewDisposeScope();

        var states = TensorData.FromSpan(window.States, [n, window.ObservationSize], dtype);
        var actions = TensorData.FromSpan(window.Actions, [n, window.ActionSize], dtype);
        var output = model.forward(states);

        // Targets in doubles from detached values: R and temp carry no gradient, exactly as in the seed.
        var values = new double[n];
        TensorData.CopyTo(output.Value.detach(), values);
        var targets = fixedTargets ?? Targets(model, window, values, hyperparameters);
        if (targets.Returns.Count != n)
        {
            throw new ArgumentException($"The targets hold {targets.Returns.Count} transitions, the window {n}.", nameof(fixedTargets));
        }

        var rewardSum = 0.0;
        foreach (var reward in window.Rewards)
        {
            rewardSum += reward;
        }

        var result = Assemble(output, actions, values, targets.ReturnsArray, targets.AdvantagesArray, rewardSum, window.ActionSize, hyperparameters);
        return result with { Total = result.Total.MoveToOuterDisposeScope() };
    }

    /// <summary>
    /// The loss of several windows (for example one per environment a worker steps in lock step), each with its own
    /// targets bootstrapped from its own last next state, summed: the gradient is the sum of the windows' gradients,
    /// computed with one forward and one backward pass over all their transitions. One window gives
    /// <see cref="Compute(ActorCritic, NStepWindow, A3cHyperparameters)"/>'s loss.
    /// </summary>
    /// <exception cref="ArgumentException">No windows, or a window's sizes do not match the model.</exception>
    public static NStepLossResult Compute(ActorCritic model, IReadOnlyList<NStepWindow> windows, A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        if (windows.Count == 0)
        {
            throw new ArgumentException("At least one window is needed.", nameof(windows));
        }

        if (windows.Count == 1)
        {
            return Compute(model, windows[0], hyperparameters, fixedTargets: null);
        }

        var total = 0;
        foreach (var window in windows)
        {
            ArgumentNullException.ThrowIfNull(window, nameof(windows));
            CheckSizes(model, window);
            total += window.Count;
        }

        var observationSize = model.ObservationSize;
        var actionSize = model.ActionSize;
        var states = new float[total * observationSize];
        var actionValues = new float[total * actionSize];
        var nextStates = new float[total * observationSize];
        var offset = 0;
        foreach (var window in windows)
        {
            window.States.CopyTo(states.AsSpan(offset * observationSize));
            window.Actions.CopyTo(actionValues.AsSpan(offset * actionSize));
            window.NextStates.CopyTo(nextStates.AsSpan(offset * observationSize));
            offset += window.Count;
        }

        var dtype = model.DType;
        using var scope = NewDisposeScope();
        var output = model.forward(TensorData.FromSpan(states, [total, observationSize], dtype));
        var actions = TensorData.FromSpan(actionValues, [total, actionSize], dtype);
        var values = new double[total];
        TensorData.CopyTo(output.Value.detach(), values);
        var nextValues = new double[total];
        using (no_grad())
        {
            TensorData.CopyTo(model.ValueOf(TensorData.FromSpan(nextStates, [total, observationSize], dtype)), nextValues);
        }

        var returns = new double[total];
        var advantages = new double[total];
        var rewardSum = 0.0;
        offset = 0;
        foreach (var window in windows)
        {
            var n = window.Count;
            var rewards = RewardsOf(window);
            foreach (var reward in rewards)
            {
                rewardSum += reward;
            }

            var targets = NStepTargets.Compute(
                rewards,
                values.AsSpan(offset, n),
                nextValues.AsSpan(offset, n),
                nextValues[offset + n - 1],
                hyperparameters.Gamma,
                hyperparameters.GaeLambda);
            targets.ReturnsArray.CopyTo(returns, offset);
            targets.AdvantagesArray.CopyTo(advantages, offset);
            offset += n;
        }

        var result = Assemble(output, actions, values, returns, advantages, rewardSum, actionSize, hyperparameters);
        return result with { Total = result.Total.MoveToOuterDisposeScope() };
    }

    private static void CheckSizes(ActorCritic model, NStepWindow window)
    {
        if (window.ObservationSize != model.ObservationSize || window.ActionSize != model.ActionSize)
        {
            throw new ArgumentException(
                $"The window has observation/action sizes {window.ObservationSize}/{window.ActionSize}, the model {model.ObservationSize}/{model.ActionSize}.",
                nameof(window));
        }
    }

    /// <summary>The seed's loss over rows with given targets, built in the caller's dispose scope.</summary>
    private static NStepLossResult Assemble(
        ActorCriticOutput output,
        Tensor actions,
        double[] values,
        double[] returnsArray,
        double[] advantagesArray,
        double rewardSum,
        int actionSize,
        A3cHyperparameters hyperparameters)
    {
        var n = values.Length;
        var dtype = output.Value.dtype;
        var returns = TensorData.FromSpan(returnsArray, [n, 1], dtype);
        var advantages = TensorData.FromSpan(advantagesArray, [n], dtype);

        // Sums (the seed), or means over the update's transitions.
        var reduction = hyperparameters.LossReduction == LossReduction.Mean ? 1.0 / n : 1.0;
        using Scalar half = 0.5 * reduction, entropyCoefficient = hyperparameters.EntropyCoefficient,
            criticCoefficient = hyperparameters.CriticLossCoefficient, reduce = -reduction, one = 1.0;
        var error = returns.sub(output.Value);
        var criticLoss = error.mul(error).mul(half).sum();
        var logProb = hyperparameters.ClippedActionLogProbability
            ? GaussianPolicy.ClippedLogProbability(actions, output.Mu, output.Std, hyperparameters.ActionLow, hyperparameters.ActionHigh)
            : GaussianPolicy.LogProbability(actions, output.Mu, output.Std, hyperparameters.LogProbEpsilon);
        var entropy = GaussianPolicy.Entropy(output.Std);
        var actorLoss = logProb.mul(advantages).sum().add(entropy.sum(), entropyCoefficient).mul(reduce);
        var total = actorLoss.add(criticLoss, criticCoefficient);
        if (hyperparameters.MeanBoundPenalty > 0)
        {
            // A pull back into the action bounds for an unsquashed mean that left them: c * relu(mu - high)^2 + c * relu(low - mu)^2.
            using Scalar high = hyperparameters.ActionHigh, low = hyperparameters.ActionLow, penalty = hyperparameters.MeanBoundPenalty * reduction;
            var over = output.Mu.sub(high).relu();
            var under = output.Mu.neg().add(low, one).relu();
            total = total.add(over.mul(over).add(under.mul(under), one).sum(), penalty);
        }

        var statistics = new LossStatistics(
            Steps: n,
            TotalLoss: TensorData.Scalar(total),
            ActorLoss: TensorData.Scalar(actorLoss),
            CriticLoss: TensorData.Scalar(criticLoss),
            EntropyMean: TensorData.Scalar(entropy.mean()) / actionSize,
            LogProbMean: TensorData.Scalar(logProb.mean()),
            ValueMean: values.Average(),
            ReturnMean: returnsArray.Average(),
            AdvantageMean: advantagesArray.Average(),
            MuMean: TensorData.Scalar(output.Mu.mean()),
            StdMean: TensorData.Scalar(output.Std.mean()),
            RewardSum: rewardSum);

        return new NStepLossResult(total, statistics);
    }

    /// <summary>The window's rewards as doubles, the precision the targets are computed in.</summary>
    private static double[] RewardsOf(NStepWindow window)
    {
        var rewards = new double[window.Count];
        for (var i = 0; i < rewards.Length; i++)
        {
            rewards[i] = window.Rewards[i];
        }

        return rewards;
    }

    /// <summary>Targets from V(s_i) (given) and a no-gradient value forward over the next states.</summary>
    private static NStepTargets Targets(ActorCritic model, NStepWindow window, double[] values, A3cHyperparameters hyperparameters)
    {
        var n = window.Count;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var nextStates = TensorData.FromSpan(window.NextStates, [n, window.ObservationSize], model.DType);
        var nextValues = new double[n];
        TensorData.CopyTo(model.ValueOf(nextStates), nextValues);
        return NStepTargets.Compute(RewardsOf(window), values, nextValues, nextValues[n - 1], hyperparameters.Gamma, hyperparameters.GaeLambda);
    }
}

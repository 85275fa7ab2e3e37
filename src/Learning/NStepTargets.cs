namespace A3cGrpc.Learning;

/// <summary>
/// The seed's n-step targets for one window, in plain doubles (no tensors, no gradients):
/// walking back from the last transition with <c>R = bootstrap</c> and <c>temp = 0</c>,
/// <c>R = gamma * R + r_i</c> (the discounted return, target of the critic) and
/// <c>temp = gamma * temp + delta_i</c> with <c>delta_i = r_i + gamma * V(s'_i) - V(s_i)</c> (the accumulated TD
/// error, a generalised advantage with lambda = 1, weight of the actor's log-probability).
/// </summary>
/// <remarks>
/// When the next states chain (s'_i = s_{i+1}) and the bootstrap is V(s'_last), the TD errors telescope and
/// <c>Advantages[i] == Returns[i] - values[i]</c>; the seed still computes them separately, and so do we.
/// </remarks>
public sealed class NStepTargets
{
    private NStepTargets(double[] returns, double[] tdErrors, double[] advantages)
    {
        Returns = returns;
        TdErrors = tdErrors;
        Advantages = advantages;
    }

    /// <summary>The critic's targets: discounted bootstrapped returns R_i (λ = 1) or λ-returns A_i + V(s_i).</summary>
    public IReadOnlyList<double> Returns { get; }

    /// <summary>One-step TD errors delta_i = r_i + gamma V(s'_i) - V(s_i).</summary>
    public IReadOnlyList<double> TdErrors { get; }

    /// <summary>Accumulated TD errors temp_i = delta_i + gamma lambda temp_{i+1} (the actor's advantage weights).</summary>
    public IReadOnlyList<double> Advantages { get; }

    /// <summary>Computes the seed's targets of one window (λ = 1, rewards as they are).</summary>
    public static NStepTargets Compute(
        ReadOnlySpan<double> rewards,
        ReadOnlySpan<double> values,
        ReadOnlySpan<double> nextValues,
        double bootstrapValue,
        double gamma) =>
        Compute(rewards, values, nextValues, bootstrapValue, gamma, lambda: 1.0);

    /// <summary>
    /// Computes the targets of one window with generalised advantage estimation: <c>A_i = δ_i + γλ A_{i+1}</c>.
    /// λ = 1 gives the seed's accumulated TD errors exactly (the same operations), and the critic's targets are then
    /// the seed's n-step returns; for λ &lt; 1 the critic's targets are the λ-returns <c>A_i + V(s_i)</c>.
    /// </summary>
    /// <param name="rewards">r_i, n values.</param>
    /// <param name="values">V(s_i), n values.</param>
    /// <param name="nextValues">V(s'_i), n values.</param>
    /// <param name="bootstrapValue">Starting R: the seed uses V(s'_last) (the environment never terminates).</param>
    /// <param name="gamma">Discount in [0, 1].</param>
    /// <param name="lambda">GAE λ in [0, 1].</param>
    /// <exception cref="ArgumentException">Empty or mismatched inputs, a non-finite value, or gamma or lambda out of range.</exception>
    public static NStepTargets Compute(
        ReadOnlySpan<double> rewards,
        ReadOnlySpan<double> values,
        ReadOnlySpan<double> nextValues,
        double bootstrapValue,
        double gamma,
        double lambda)
    {
        if (!(lambda is >= 0.0 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in [0, 1].");
        }

        var targets = ComputeSeed(rewards, values, nextValues, bootstrapValue, gamma, gamma * lambda);
        if (lambda < 1.0)
        {
            var returns = targets.ReturnsArray;
            var advantages = targets.AdvantagesArray;
            for (var i = 0; i < returns.Length; i++)
            {
                returns[i] = advantages[i] + values[i];
            }
        }

        return targets;
    }

    /// <summary>The seed's recursion, with the advantages' decay per step given (γ for the seed, γλ for GAE).</summary>
    private static NStepTargets ComputeSeed(
        ReadOnlySpan<double> rewards,
        ReadOnlySpan<double> values,
        ReadOnlySpan<double> nextValues,
        double bootstrapValue,
        double gamma,
        double advantageDecay)
    {
        var n = rewards.Length;
        if (n < 1)
        {
            throw new ArgumentException("At least one reward is needed.", nameof(rewards));
        }

        if (values.Length != n || nextValues.Length != n)
        {
            throw new ArgumentException(
                $"rewards, values and nextValues must have the same length; got {n}, {values.Length} and {nextValues.Length}.");
        }

        if (!(gamma is >= 0.0 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in [0, 1].");
        }

        if (!double.IsFinite(bootstrapValue))
        {
            throw new ArgumentException($"bootstrapValue must be finite, got {bootstrapValue}.", nameof(bootstrapValue));
        }

        RequireFinite(rewards, nameof(rewards));
        RequireFinite(values, nameof(values));
        RequireFinite(nextValues, nameof(nextValues));

        var returns = new double[n];
        var tdErrors = new double[n];
        var advantages = new double[n];
        var r = bootstrapValue;
        var temp = 0.0;
        for (var i = n - 1; i >= 0; i--)
        {
            r = (gamma * r) + rewards[i];
            returns[i] = r;
            tdErrors[i] = rewards[i] + (gamma * nextValues[i]) - values[i];
            temp = (advantageDecay * temp) + tdErrors[i];
            advantages[i] = temp;
        }

        return new NStepTargets(returns, tdErrors, advantages);
    }

    internal double[] ReturnsArray => (double[])Returns;

    internal double[] AdvantagesArray => (double[])Advantages;

    private static void RequireFinite(ReadOnlySpan<double> values, string name)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is not finite ({values[i]}).", name);
            }
        }
    }
}

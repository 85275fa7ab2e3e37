using TorchSharp;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>
/// The two quantities of the diagonal Normal policy Normal(mu, std) that enter the seed's loss.
/// Both reduce over the action dimension, so they return one value per row: [B].
/// </summary>
public static class GaussianPolicy
{
    /// <summary>ln(sqrt(2 pi)), the Normal density's normalising constant in log form.</summary>
    private static readonly double _logSqrtTwoPi = 0.5 * Math.Log(2.0 * Math.PI);

    /// <summary>
    /// The seed's log-probability: per action dimension <c>log(density(a; mu, std) + epsilon)</c>, summed over the
    /// action dimension; with epsilon 0, the exact log-density. <paramref name="actions"/> are the UNCLIPPED samples (the clip only affects what the
    /// environment receives). The seed adds <c>1e-6</c> to the density inside the log.
    /// </summary>
    /// <param name="actions">Unclipped actions, [B, A].</param>
    /// <param name="mu">Means, [B, A].</param>
    /// <param name="std">Standard deviations, [B, A], positive.</param>
    /// <param name="densityEpsilon">Added to the density before the log (seed: 1e-6).</param>
    /// <returns>[B].</returns>
    public static Tensor LogProbability(Tensor actions, Tensor mu, Tensor std, double densityEpsilon)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(std);
        // Scalars live in using variables for the whole computation (TorchSharp does not keep temporaries alive).
        using Scalar minusHalf = -0.5, logSqrtTwoPi = _logSqrtTwoPi, epsilon = densityEpsilon, one = 1.0;
        using var scope = NewDisposeScope();
        var z = actions.sub(mu).div(std);
        if (densityEpsilon == 0)
        {
            // The exact log-density, -z^2/2 - log std - log sqrt(2 pi): no exp and log round trip, so it stays finite and
            // keeps its gradient for samples far out in the tails (where the density underflows to 0).
            return z.mul(z).mul(minusHalf).sub(std.log()).sub(logSqrtTwoPi).sum(1).MoveToOuterDisposeScope();
        }

        // density = exp(-z^2 / 2) / (std * sqrt(2 pi)); computed as exp(-z^2/2 - log std - log sqrt(2 pi)).
        var density = z.mul(z).mul(minusHalf).sub(std.log()).sub(logSqrtTwoPi).exp();
        return density.add(epsilon, one).log().sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The log-probability of the action the environment actually received when it clips to [<paramref name="low"/>,
    /// <paramref name="high"/>] (the clipped action policy gradient of Fujita and Maeda, 2018): for a sample inside the
    /// bounds, the Normal's log-density; beyond a bound, the log-probability of the whole tail that clips to it,
    /// <c>log Φ((μ − high)/σ)</c> or <c>log Φ((low − μ)/σ)</c>. Every sample that clips to a bound gives the same
    /// outcome, and this weight says so: once most of the mass lies beyond a bound, a positive advantage no longer
    /// drives μ further out (with the density, (a − μ)/σ² keeps pushing it out without end). Summed over the action
    /// dimension.
    /// </summary>
    /// <returns>[B].</returns>
    public static Tensor ClippedLogProbability(Tensor actions, Tensor mu, Tensor std, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(std);
        using Scalar minusHalf = -0.5, logSqrtTwoPi = _logSqrtTwoPi, lowBound = low, highBound = high, one = 1.0;
        using var scope = NewDisposeScope();
        var z = actions.sub(mu).div(std);
        var density = z.mul(z).mul(minusHalf).sub(std.log()).sub(logSqrtTwoPi);
        var above = LogNormalCdf(mu.sub(highBound).div(std));
        var below = LogNormalCdf(mu.neg().add(lowBound, one).div(std));
        var result = where(actions.ge(highBound), above, where(actions.le(lowBound), below, density));
        return result.sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log Φ(x), the log of the standard Normal's distribution function, for any x: <c>log1p(−erfc(x/√2)/2)</c> for
    /// x ≥ 0, <c>log(erfc(−x/√2)/2)</c> down to x = −10, and below that (where erfc underflows in float32) the asymptotic
    /// series <c>−x²/2 − log(−x) − log √(2π) + log(1 − 1/x² + 3/x⁴ − 15/x⁶)</c> (relative error under 1e-6). Each branch
    /// sees only its own range of x, so none produces a non-finite value or gradient.
    /// </summary>
    public static Tensor LogNormalCdf(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using Scalar zero = 0.0, tail = -10.0, half = 0.5, minusHalf = -0.5, one = 1.0, minusOne = -1.0, three = 3.0, minusFifteen = -15.0,
            inverseSqrtTwo = 1.0 / Math.Sqrt(2.0), minusInverseSqrtTwo = -1.0 / Math.Sqrt(2.0), logSqrtTwoPi = _logSqrtTwoPi;
        using var scope = NewDisposeScope();
        var far = x.clamp_max(tail);
        var middle = x.clamp(tail, zero);
        var positive = x.clamp_min(zero);
        var inverseSquare = far.mul(far).reciprocal();
        var series = inverseSquare.mul(minusFifteen).add(three, one).mul(inverseSquare).sub(one).mul(inverseSquare).add(one, one);
        var farValue = far.mul(far).mul(minusHalf).add(far.neg().log(), minusOne).sub(logSqrtTwoPi).add(series.log(), one);
        var middleValue = special.erfc(middle.mul(minusInverseSqrtTwo)).mul(half).log();
        var positiveValue = special.erfc(positive.mul(inverseSqrtTwo)).mul(minusHalf).log1p();
        return where(x.lt(tail), farValue, where(x.lt(zero), middleValue, positiveValue)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The exact entropy of the Normal, <c>0.5 * log(2 pi e std^2) = 0.5 + 0.5 log(2 pi) + log std</c>, summed over
    /// the action dimension.
    /// </summary>
    /// <remarks>
    /// The seed's code writes <c>0.5 * (log(2 pi std) + 1)</c>, which takes log(std) where log(std^2) belongs
    /// (half the gradient in std and a different constant). We use the textbook formula on purpose; the entropy
    /// bonus therefore pushes std twice as hard as in the seed's runs.
    /// </remarks>
    /// <param name="std">Standard deviations, [B, A], positive.</param>
    /// <returns>[B].</returns>
    public static Tensor Entropy(Tensor std)
    {
        ArgumentNullException.ThrowIfNull(std);
        using Scalar constant = 0.5 + _logSqrtTwoPi, one = 1.0;
        using var scope = NewDisposeScope();
        return std.log().add(constant, one).sum(1).MoveToOuterDisposeScope();
    }
}

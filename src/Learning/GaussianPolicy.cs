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

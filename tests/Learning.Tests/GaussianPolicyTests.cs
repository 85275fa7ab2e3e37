using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

public sealed class GaussianPolicyTests
{
    public GaussianPolicyTests() => TorchRuntime.Initialize();

    [Fact]
    public void LogProbability_UnclippedSampleOutsideBounds_MatchesHandFormula()
    {
        // a = 1.7 (would be clipped to 1 for the environment), mu = 0.4, std = 0.6:
        // z = (1.7 - 0.4) / 0.6; density = exp(-z^2 / 2) / (0.6 sqrt(2 pi)); log_prob = log(density + 1e-6).
        using var scope = NewDisposeScope();
        var z = (1.7 - 0.4) / 0.6;
        var expected = Math.Log((Math.Exp(-0.5 * z * z) / (0.6 * Math.Sqrt(2.0 * Math.PI))) + 1e-6);

        var actual = GaussianPolicy.LogProbability(
            tensor(new[] { 1.7 }).reshape(1, 1), tensor(new[] { 0.4 }).reshape(1, 1), tensor(new[] { 0.6 }).reshape(1, 1), 1e-6);

        Assert.Equal(expected, actual.item<double>(), 12);
    }

    [Fact]
    public void LogProbability_FarTail_IsFlooredByEpsilon()
    {
        // The density underflows to ~0, so log(density + 1e-6) -> log(1e-6): the seed's floor.
        using var scope = NewDisposeScope();

        var actual = GaussianPolicy.LogProbability(
            tensor(new[] { 50.0 }).reshape(1, 1), tensor(new[] { 0.0 }).reshape(1, 1), tensor(new[] { 0.1 }).reshape(1, 1), 1e-6);

        Assert.Equal(Math.Log(1e-6), actual.item<double>(), 12);
    }

    [Fact]
    public void LogProbability_TwoActionDimensions_SumsPerDimension()
    {
        using var scope = NewDisposeScope();
        static double LogDensity(double a, double mu, double std)
        {
            var z = (a - mu) / std;
            return Math.Log((Math.Exp(-0.5 * z * z) / (std * Math.Sqrt(2.0 * Math.PI))) + 1e-6);
        }

        var actual = GaussianPolicy.LogProbability(
            tensor(new[] { 0.1, -0.3 }).reshape(1, 2), tensor(new[] { 0.0, 0.2 }).reshape(1, 2), tensor(new[] { 0.5, 0.8 }).reshape(1, 2), 1e-6);

        Assert.Equal([1L], actual.shape);
        Assert.Equal(LogDensity(0.1, 0.0, 0.5) + LogDensity(-0.3, 0.2, 0.8), actual.item<double>(), 12);
    }

    [Fact]
    public void Entropy_Std_IsExactNormalEntropyNotTheSeedsFormula()
    {
        // Exact: 0.5 ln(2 pi e std^2) = 0.5 (ln 2 pi + 1) + ln std. The seed's code had 0.5 (ln(2 pi std) + 1)
        // = 0.5 (ln 2 pi + 1) + 0.5 ln std: the two agree only at std = 1.
        using var scope = NewDisposeScope();
        var std = 0.3;
        var exact = 0.5 * Math.Log(2.0 * Math.PI * Math.E * std * std);
        var seeds = 0.5 * (Math.Log(2.0 * Math.PI * std) + 1.0);

        var actual = GaussianPolicy.Entropy(tensor(new[] { std }).reshape(1, 1)).item<double>();

        Assert.Equal(exact, actual, 12);
        Assert.NotEqual(seeds, actual, 6);
    }
}

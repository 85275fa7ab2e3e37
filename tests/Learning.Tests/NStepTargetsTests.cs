namespace A3cGrpc.Learning.Tests;

public sealed class NStepTargetsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Compute_ThreeStepWindow_MatchesHandComputedValues()
    {
        // Arrange: gamma = 0.9, r = [1, 0.5, -1], V(s) = [0.2, 0.4, 0.1], V(s') = [0.4, 0.1, 0.3], bootstrap 0.3.
        // Walking back from i = 2 with R = 0.3, temp = 0:
        //   i = 2: R = 0.9 * 0.3 - 1        = -0.73;   delta = -1 + 0.9 * 0.3 - 0.1  = -0.83; temp = -0.83
        //   i = 1: R = 0.9 * -0.73 + 0.5    = -0.157;  delta = 0.5 + 0.9 * 0.1 - 0.4 = 0.19;  temp = 0.9 * -0.83 + 0.19 = -0.557
        //   i = 0: R = 0.9 * -0.157 + 1     = 0.8587;  delta = 1 + 0.9 * 0.4 - 0.2   = 1.16;  temp = 0.9 * -0.557 + 1.16 = 0.6587
        double[] rewards = [1.0, 0.5, -1.0];
        double[] values = [0.2, 0.4, 0.1];
        double[] nextValues = [0.4, 0.1, 0.3];

        // Act
        var targets = NStepTargets.Compute(rewards, values, nextValues, bootstrapValue: 0.3, gamma: 0.9);

        // Assert
        AssertClose([0.8587, -0.157, -0.73], targets.Returns);
        AssertClose([1.16, 0.19, -0.83], targets.TdErrors);
        AssertClose([0.6587, -0.557, -0.83], targets.Advantages);
    }

    [Fact]
    public void Compute_ChainedNextStates_AdvantageEqualsReturnMinusValue()
    {
        // With s'_i = s_{i+1} and bootstrap V(s'_last), the TD errors telescope: temp_i = R_i - V(s_i).
        var random = new Random(7);
        var n = 8;
        var rewards = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var chain = Enumerable.Range(0, n + 1).Select(_ => random.NextDouble() * 3).ToArray();
        var values = chain[..n];
        var nextValues = chain[1..];

        var targets = NStepTargets.Compute(rewards, values, nextValues, nextValues[^1], gamma: 0.95);

        for (var i = 0; i < n; i++)
        {
            Assert.Equal(targets.Returns[i] - values[i], targets.Advantages[i], 1e-12);
        }
    }

    [Fact]
    public void Compute_SingleTransition_IsOneStepTarget()
    {
        // R = r + gamma * bootstrap = 2 + 0.5 * 4 = 4; delta = r + gamma V(s') - V(s) = 2 + 2 - 1 = 3.
        var targets = NStepTargets.Compute([2.0], [1.0], [4.0], bootstrapValue: 4.0, gamma: 0.5);

        AssertClose([4.0], targets.Returns);
        AssertClose([3.0], targets.TdErrors);
        AssertClose([3.0], targets.Advantages);
    }

    [Fact]
    public void Compute_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => NStepTargets.Compute([1.0, 2.0], [1.0], [1.0, 2.0], 0.0, 0.9));
    }

    [Fact]
    public void Compute_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => NStepTargets.Compute([], [], [], 0.0, 0.9));
    }

    [Fact]
    public void Compute_NonFiniteValue_ThrowsNamingIt()
    {
        var exception = Assert.Throws<ArgumentException>(() => NStepTargets.Compute([1.0], [double.NaN], [1.0], 0.0, 0.9));

        Assert.Contains("values[0]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_GammaOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NStepTargets.Compute([1.0], [1.0], [1.0], 0.0, 1.5));
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < Tolerance, $"Index {i}: expected {expected[i]}, got {actual[i]}.");
        }
    }

    [Fact]
    public void Compute_LambdaOne_IsBitIdenticalToTheSeedsAccumulatedTdError()
    {
        var random = new Random(11);
        var n = 16;
        var rewards = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var values = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 3).ToArray();
        var nextValues = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 3).ToArray();

        var seed = NStepTargets.Compute(rewards, values, nextValues, 0.7, gamma: 0.95);
        var gae = NStepTargets.Compute(rewards, values, nextValues, 0.7, gamma: 0.95, lambda: 1.0);

        Assert.Equal(seed.Advantages, gae.Advantages); // exact: the same operations
        Assert.Equal(seed.Returns, gae.Returns);
        Assert.Equal(seed.TdErrors, gae.TdErrors);
    }

    [Fact]
    public void Compute_Lambda_AdvantageIsTheDiscountedSumOfTdErrors()
    {
        // A_i = sum_k (gamma lambda)^k delta_{i+k}, and the critic's target is the lambda-return A_i + V(s_i).
        var random = new Random(12);
        var n = 10;
        var rewards = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var values = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 3).ToArray();
        var nextValues = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 3).ToArray();
        const double gamma = 0.99, lambda = 0.9;

        var targets = NStepTargets.Compute(rewards, values, nextValues, nextValues[^1], gamma, lambda);

        for (var i = 0; i < n; i++)
        {
            var expected = 0.0;
            for (var k = i; k < n; k++)
            {
                var delta = rewards[k] + (gamma * nextValues[k]) - values[k];
                expected += Math.Pow(gamma * lambda, k - i) * delta;
            }

            Assert.Equal(expected, targets.Advantages[i], 1e-12);
            Assert.Equal(expected + values[i], targets.Returns[i], 1e-12);
        }
    }

    [Fact]
    public void Compute_LambdaZero_AdvantagesAreTheOneStepTdErrors()
    {
        double[] rewards = [1.0, 0.5, -1.0];
        double[] values = [0.2, 0.4, 0.1];
        double[] nextValues = [0.4, 0.1, 0.3];

        var targets = NStepTargets.Compute(rewards, values, nextValues, 0.3, gamma: 0.9, lambda: 0.0);

        AssertClose([1.16, 0.19, -0.83], targets.Advantages);
        AssertClose([1.36, 0.59, -0.73], targets.Returns);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Compute_LambdaOutOfRange_Throws(double lambda)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NStepTargets.Compute([1.0], [0.0], [0.0], 0.0, 0.9, lambda));
    }
}

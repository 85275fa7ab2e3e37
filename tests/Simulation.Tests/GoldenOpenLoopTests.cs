using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>docs/env-spec.md §5.6: the golden open-loop run from u = 0.</summary>
public sealed class GoldenOpenLoopTests
{
    public static TheoryData<int, string[]> Rows => new()
    {
        { 1, ["0.002206157", "0.133706493", "-0.999989770", "-0.004523251", "0.279752714"] },
        { 10, ["0.119120746", "1.291558103", "-0.972264396", "-0.233884466", "2.438360413"] },
        { 20, ["0.368584578", "1.098679881", "-0.822182548", "-0.569223909", "0.776878587"] },
        { 40, ["0.237100889", "-1.601144784", "-0.864710479", "0.502270632", "-5.945003739"] },
        { 60, ["0.032114798", "0.079331599", "-0.421399037", "0.906875323", "1.702511456"] },
        { 100, ["0.205583294", "-0.037760372", "-0.421486086", "-0.906834869", "-0.536755720"] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Observation_GoldenActions_MatchesSpecRow(int step, string[] expected)
    {
        // Act
        var (observations, _, _) = Episodes.Run(0.0, 100, Episodes.GoldenAction);

        // Assert: printed-digit tolerance (9 decimals) on every column.
        Spec.Printed(expected, observations[step - 1], $"obs at step {step}");
    }

    [Fact]
    public void RewardSum_GoldenActions_MatchesSpec()
    {
        // Act
        var (_, _, total) = Episodes.Run(0.0, 100, Episodes.GoldenAction);

        // Assert: printed-digit tolerance (±5e-7).
        Spec.Printed("-74.502513", total, "sum of rewards over 100 steps");
    }
}

using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>docs/env-spec.md §5.5: zero-action episodes, their returns and selected observations.</summary>
public sealed class ZeroActionEpisodeTests
{
    [Theory]
    [InlineData(0.0, "-999.998175")]
    [InlineData(0.05, "-999.530048")]
    [InlineData(0.1, "-998.236492")]
    [InlineData(-0.1, "-998.338908")]
    public void Return_ZeroActionEpisode_MatchesSpec(double thetaOffset, string expected)
    {
        // Act
        var (_, _, total) = Episodes.Run(thetaOffset, SwingUpConstants.MaxEpisodeSteps, _ => 0.0);

        // Assert: printed-digit tolerance (±5e-7 on a sum of 1000 rewards). Without the 0.04
        // multibody damping the ±0.1 returns would be about 0.8 lower (spec §5.5).
        Spec.Printed(expected, total, $"return at u = {thetaOffset}");
    }

    public static TheoryData<int, string[]> ZeroOffsetObservations => new()
    {
        { 1, ["-1.074570e-06", "-6.512546e-05", "-0.9999999946", "1.037096e-04", "-6.700620e-04"] },
        { 10, ["-5.534571e-05", "-5.765416e-04", "-0.9999997808", "6.620933e-04", "-5.931905e-03"] },
        { 100, ["-2.327556e-04", "-6.489872e-04", "-0.9999969065", "2.487381e-03", "-6.677243e-03"] },
        { 1000, ["-2.180945e-04", "-4.624221e-04", "-0.9999972710", "2.336245e-03", "-4.757733e-03"] },
    };

    [Theory]
    [MemberData(nameof(ZeroOffsetObservations))]
    public void Observation_ZeroActionFromZeroOffset_MatchesSpecAtStep(int step, string[] expected)
    {
        // Act
        var (observations, _, _) = Episodes.Run(0.0, step, _ => 0.0);

        // Assert: printed-digit tolerance per component.
        Spec.Printed(expected, observations[step - 1], $"obs at step {step}");
    }

    [Fact]
    public void FinalObservation_ZeroActionFromOffsetPointOne_MatchesSpec()
    {
        // Act
        var (observations, _, _) = Episodes.Run(0.1, SwingUpConstants.MaxEpisodeSteps, _ => 0.0);

        // Assert: printed-digit tolerance (9 decimals).
        Spec.Printed(
            ["-0.013345633", "-0.029180229", "-0.999279892", "0.037943336", "-0.300389829"],
            observations[^1],
            "obs at step 1000, u = 0.1");
    }
}

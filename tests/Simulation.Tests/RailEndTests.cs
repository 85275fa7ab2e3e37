using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>docs/env-spec.md §5.7: the slider limit, its one-step overshoot, the split-impulse stop and the ERP push-back.</summary>
public sealed class RailEndTests
{
    public static TheoryData<int, string, string, string> FullPushRows => new()
    {
        { 31, "0.942559713", "3.249741308", "1.180359768" },
        { 32, "0.997602551", "3.335929601", "0.967518167" },
        { 33, "1.054072200", "3.422402953", "0.750596551" },
        { 34, "1.054072200", "0", "-2.650166349" },
        { 35, "1.054072200", "0", "-2.944761692" },
        { 36, "1.054072200", "0", "-3.230439571" },
    };

    [Theory]
    [MemberData(nameof(FullPushRows))]
    public void Observation_ConstantFullPush_MatchesSpecRow(int step, string x, string vx, string thetaDot)
    {
        // Act
        var (observations, _, _) = Episodes.Run(0.0, step, _ => 1.0);
        var obs = observations[step - 1];

        // Assert: printed-digit tolerance; vx = 0 is printed without decimals, so it is checked exactly.
        Spec.Printed(x, obs[0], $"x at step {step}");
        if (vx == "0")
        {
            Assert.Equal(0.0, obs[1], 1e-12);
        }
        else
        {
            Spec.Printed(vx, obs[1], $"vx at step {step}");
        }

        Spec.Printed(thetaDot, obs[4], $"theta_dot at step {step}");
    }

    [Fact]
    public void CartPosition_ContinuedFullPush_StaysWhereItStopped()
    {
        // Act
        var (observations, _, _) = Episodes.Run(0.0, 100, _ => 1.0);

        // Assert (§3): more than 4 cm past the limit the error goes to the split-impulse channel,
        // which the multibody path never applies, so x stays at 1.0540722 from step 34 on.
        for (var step = 34; step <= 100; step++)
        {
            Spec.Printed("1.0540722", observations[step - 1][0], $"x at step {step}");
            Assert.Equal(0.0, observations[step - 1][1], 1e-12);
        }
    }

    [Fact]
    public void CartPosition_ConstantPushOfPointThree_DecaysBackByErp()
    {
        // Act
        var (observations, _, _) = Episodes.Run(0.0, 65, _ => 0.3);
        var x = observations.Select(o => o[0]).ToArray();

        // Assert: printed-digit tolerance (9 decimals) on the spec's steps 62-65 ...
        Spec.Printed("1.012787125", x[61], "x at step 62");
        Spec.Printed("1.010229700", x[62], "x at step 63");
        Spec.Printed("1.008183760", x[63], "x at step 64");
        Spec.Printed("1.006547008", x[64], "x at step 65");

        // ... and the ERP 0.2 rule: the overshoot shrinks by a factor 0.8 per step. The printed
        // overshoots carry 7 significant digits, so their ratios are good to about 1e-6.
        for (var i = 62; i < 65; i++)
        {
            Assert.Equal(0.8, (x[i] - 1.0) / (x[i - 1] - 1.0), 1e-6);
        }
    }
}

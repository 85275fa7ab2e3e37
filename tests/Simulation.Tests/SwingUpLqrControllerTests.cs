using A3cGrpc.Simulation.Control;
using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>docs/env-spec.md §5.8: the swing-up + LQR controller as an end-to-end check of the environment.</summary>
public sealed class SwingUpLqrControllerTests
{
    [Theory]
    [InlineData(0.0, "883.76215")]
    [InlineData(0.1, "886.14265")]
    public void RunEpisode_SpecOffsets_ScoresSpecReturn(double thetaOffset, string expected)
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 0);

        // Act
        var total = SwingUpLqrController.RunEpisode(env, thetaOffset);

        // Assert: printed-digit tolerance (±5e-6), measured with the rounded gains (§5.8).
        Spec.Printed(expected, total, $"controller return at u = {thetaOffset}");
        Assert.True(total > SwingUpConstants.RewardThreshold);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(-0.05)]
    [InlineData(0.05)]
    public void RunEpisode_OtherOffsets_ScoresInSpecRange(double thetaOffset)
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 0);

        // Act
        var total = SwingUpLqrController.RunEpisode(env, thetaOffset);

        // Assert (§5.8): "886.1-886.5 (u = ±0.05, ±0.1)".
        Assert.InRange(total, 886.1, 886.5);
    }

    [Fact]
    public void RunEpisode_FromHanging_BalancesWithinAbout85Steps()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 0);
        var observation = env.Reset(0.0);
        var firstBalanceStep = 0;

        // Act
        for (var step = 1; step <= SwingUpConstants.MaxEpisodeSteps; step++)
        {
            var action = SwingUpLqrController.ComputeAction(observation, out var mode);
            if (mode == SwingUpControllerMode.Balance && firstBalanceStep == 0)
            {
                firstBalanceStep = step;
            }

            observation = env.Step([action]).Observation;
        }

        // Assert (§5.8): upright under the LQR after about 85 steps (1.4 s), and still up at the end.
        Assert.InRange(firstBalanceStep, 60, 110);
        Assert.True(observation[2] > 0.999, $"cos theta at the end is {observation[2]}");
    }

    [Fact]
    public void ComputeAction_NearUpright_UsesLqrGains()
    {
        // Arrange: small state inside the balance region.
        double[] observation = [0.1, -0.05, Math.Cos(0.02), Math.Sin(0.02), 0.1];

        // Act
        var action = SwingUpLqrController.ComputeAction(observation, out var mode);

        // Assert
        var force = (28.558 * 0.1) + (43.689 * -0.05) + (461.78 * 0.02) + (93.42 * 0.1);
        Assert.Equal(SwingUpControllerMode.Balance, mode);
        Assert.Equal(force / 100.0, action, 1e-12);
    }

    [Fact]
    public void ComputeAction_HangingAtRest_SwingsUpWithSpecModelForce()
    {
        // Arrange: at θ = 3.1415 at rest E = -2·m·g·l, so a = 0 and F = m·l·cos θ·(m·g·l·sin θ)/I_p.
        const double theta = 3.1415;
        double[] observation = [0.0, 0.0, Math.Cos(theta), Math.Sin(theta), 0.0];
        const double m = SwingUpConstants.PoleMass;
        const double l = 0.3;
        var inertia = SwingUpConstants.PoleInertiaY + (m * l * l);
        var expectedForce = m * l * Math.Cos(theta) * (m * SwingUpConstants.Gravity * l * Math.Sin(theta)) / inertia;

        // Act
        var action = SwingUpLqrController.ComputeAction(observation, out var mode);

        // Assert
        Assert.Equal(SwingUpControllerMode.SwingUp, mode);
        Assert.Equal(expectedForce / 100.0, action, 1e-15);
        Assert.Equal(-2 * m * SwingUpConstants.Gravity * l, SwingUpLqrController.PoleEnergy(-1.0, 0.0), 1e-12);
        Assert.Equal(0.0, SwingUpLqrController.PoleEnergy(1.0, 0.0));
    }

    [Fact]
    public void ComputeAction_LargeForce_IsClippedToActionBounds()
    {
        // Act
        var high = SwingUpLqrController.ComputeAction([0.5, 1.0, Math.Cos(0.2), Math.Sin(0.2), 2.0]);
        var low = SwingUpLqrController.ComputeAction([-0.5, -1.0, Math.Cos(-0.2), Math.Sin(-0.2), -2.0]);

        // Assert
        Assert.Equal(1.0, high);
        Assert.Equal(-1.0, low);
    }

    [Fact]
    public void ComputeAction_WrongObservationLength_ThrowsArgument()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => SwingUpLqrController.ComputeAction(new double[4]));

        // Assert
        Assert.Equal("observation", error.ParamName);
    }
}

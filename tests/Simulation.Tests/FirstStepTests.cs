using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>docs/env-spec.md §5.2: the first step from rest at θ = 3.1415, in closed form and simulated.</summary>
public sealed class FirstStepTests
{
    /// <summary>
    /// Solves the §5.2 pendulum equations at rest (φ̇ = 0, no damping at zero velocity):
    /// (M+m)·ẍ + m·l·cos φ·φ̈ = F and m·l·cos φ·ẍ + I_p·φ̈ = m·g·l·sin φ, with φ = θ + δ.
    /// </summary>
    private static (double XDdot, double PhiDdot) ClosedForm(double force)
    {
        const double m = SwingUpConstants.PoleMass;
        var l = SwingUpConstants.PoleCenterOfMassDistance;
        var phi = SwingUpConstants.ResetTheta + SwingUpConstants.PoleCenterOfMassAngle;
        var a11 = SwingUpConstants.TotalMass;
        var a12 = m * l * Math.Cos(phi);
        var a22 = SwingUpConstants.PoleInertiaAboutHinge;
        var b2 = m * SwingUpConstants.Gravity * l * Math.Sin(phi);
        var determinant = (a11 * a22) - (a12 * a12);
        return (((force * a22) - (a12 * b2)) / determinant, ((a11 * b2) - (a12 * force)) / determinant);
    }

    [Fact]
    public void ClosedForm_FullForce_GivesSpecAccelerations()
    {
        // Act
        var (xDdot, phiDdot) = ClosedForm(100.0);

        // Assert: the spec prints 8 significant digits (printed-digit tolerance, see Spec).
        Spec.Printed("8.1034238", xDdot, "x_ddot");
        Spec.Printed("16.9547100", phiDdot, "phi_ddot");
    }

    [Fact]
    public void Step_FullForceFromRest_MatchesSpecAndClosedForm()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 0);
        env.Reset(0.0);
        var (xDdot, phiDdot) = ClosedForm(100.0);
        const double dt = SwingUpConstants.TimeStep;

        // Act
        var result = env.Step([1.0]);
        var obs = result.Observation;

        // Assert: the spec's 9-digit values (printed-digit tolerance) ...
        Spec.Printed("0.133706493", obs[1], "vx1");
        Spec.Printed("0.002206157", obs[0], "x1");
        Spec.Printed("0.279752714", obs[4], "theta_dot1");
        Spec.Printed("3.146115920", env.Theta, "theta1");

        // ... and one semi-implicit Euler step of the closed form. Featherstone's ABA solves the
        // same linear system, so only rounding separates them: 1e-9 relative is ample and still
        // 5 orders of magnitude below the effect of, e.g., dropping δ or the margin in Iyy.
        Spec.Relative(xDdot * dt, obs[1], 1e-9, "vx1 vs closed form");
        Spec.Relative(xDdot * dt * dt, obs[0], 1e-9, "x1 vs closed form");
        Spec.Relative(phiDdot * dt, obs[4], 1e-9, "theta_dot1 vs closed form");
        Spec.Relative(SwingUpConstants.ResetTheta + (phiDdot * dt * dt), env.Theta, 1e-12, "theta1 vs closed form");
    }

    [Fact]
    public void Step_NoForceFromRest_MatchesSpecAndClosedForm()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 0);
        env.Reset(0.0);
        var (xDdot, phiDdot) = ClosedForm(0.0);
        const double dt = SwingUpConstants.TimeStep;

        // Act
        var obs = env.Step([0.0]).Observation;

        // Assert: printed-digit tolerance on the spec's 5-6 digit values, 1e-9 relative on the closed form.
        Spec.Printed("-6.5125e-05", obs[1], "vx1");
        Spec.Printed("-1.0746e-06", obs[0], "x1");
        Spec.Printed("-6.70062e-04", obs[4], "theta_dot1");
        Spec.Relative(xDdot * dt, obs[1], 1e-9, "vx1 vs closed form");
        Spec.Relative(xDdot * dt * dt, obs[0], 1e-9, "x1 vs closed form");
        Spec.Relative(phiDdot * dt, obs[4], 1e-9, "theta_dot1 vs closed form");
    }
}

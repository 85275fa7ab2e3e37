namespace A3cGrpc.Simulation.Control;

/// <summary>Which law <see cref="SwingUpLqrController"/> used for an action.</summary>
public enum SwingUpControllerMode
{
    /// <summary>Energy pumping: the pole is not yet near upright with little energy error.</summary>
    SwingUp,

    /// <summary>The discrete LQR around the upright position.</summary>
    Balance,
}

/// <summary>
/// The hand-written swing-up and LQR controller of docs/env-spec.md §5.8, a baseline that scores
/// 883.76215 at u = 0 and 886.14265 at u = 0.1 (spec §5.8, measured with the rounded gains).
/// </summary>
/// <remarks>
/// <para><b>Swing-up.</b> E = ½·I_p·θ̇² − m·g·l·(1 − cos θ) (0 when upright at rest). The desired
/// cart acceleration a = 4·E·θ̇·cos θ − 5·x − 6·vx becomes a force through the pendulum model of
/// §5.2 with δ = 0 and l = 0.3: φ̈ = (m·g·l·sin θ − m·l·cos θ·a) / I_p and
/// F = (M + m)·a + m·l·cos θ·φ̈ − m·l·sin θ·θ̇², where I_p = Iyy + m·l² with the same l = 0.3.</para>
/// <para><b>Balance.</b> When cos θ &gt; cos 0.3 and |E| &lt; 8 (checked at every step):
/// F = 28.558·x + 43.689·vx + 461.78·φ + 93.42·θ̇ with φ = atan2(sin θ, cos θ).</para>
/// <para>In both modes the action is clip(F / 100, −1, 1). The controller is stateless and
/// reads only the observation.</para>
/// </remarks>
public static class SwingUpLqrController
{
    /// <summary>LQR gain on x (§5.8; discrete LQR, dt 0.0165, Q = diag(1, 0.1, 10, 0.1), R = 1e−3, rounded).</summary>
    public const double GainX = 28.558;

    /// <summary>LQR gain on vx (§5.8).</summary>
    public const double GainVelocity = 43.689;

    /// <summary>LQR gain on φ = atan2(sin θ, cos θ) (§5.8).</summary>
    public const double GainAngle = 461.78;

    /// <summary>LQR gain on θ̇ (§5.8).</summary>
    public const double GainAngularVelocity = 93.42;

    /// <summary>The LQR takes over when |φ| is below this angle, rad (§5.8: cos θ &gt; cos 0.3).</summary>
    public const double BalanceAngle = 0.3;

    /// <summary>…and when |E| is below this energy, J (§5.8).</summary>
    public const double BalanceEnergy = 8.0;

    /// <summary>Energy-pumping gain in a = 4·E·θ̇·cos θ − 5·x − 6·vx (§5.8).</summary>
    public const double EnergyGain = 4.0;

    /// <summary>Cart-centring gain on x in the swing-up law (§5.8).</summary>
    public const double CentringGain = 5.0;

    /// <summary>Cart damping gain on vx in the swing-up law (§5.8).</summary>
    public const double CartDampingGain = 6.0;

    /// <summary>The controller's pole length l: the §5.2 model with δ = 0 and l = 0.3 (§5.8).</summary>
    public const double ModelPoleLength = 0.3;

    /// <summary>The controller's pole inertia about the hinge, Iyy + m·l² with l = <see cref="ModelPoleLength"/>.</summary>
    public const double ModelPoleInertia =
        SwingUpConstants.PoleInertiaY + (SwingUpConstants.PoleMass * ModelPoleLength * ModelPoleLength);

    private static readonly double _balanceCosine = Math.Cos(BalanceAngle);

    /// <summary>The pole's energy relative to upright at rest, in the controller's model (J).</summary>
    public static double PoleEnergy(double cosTheta, double thetaDot) =>
        (0.5 * ModelPoleInertia * thetaDot * thetaDot)
        - (SwingUpConstants.PoleMass * SwingUpConstants.Gravity * ModelPoleLength * (1.0 - cosTheta));

    /// <summary>The action for <paramref name="observation"/> <c>[x, vx, cos θ, sin θ, θ̇]</c>, in [−1, 1].</summary>
    /// <exception cref="ArgumentException">The observation is not 5 values long.</exception>
    public static double ComputeAction(ReadOnlySpan<double> observation) => ComputeAction(observation, out _);

    /// <summary>The action for <paramref name="observation"/>, and which law produced it.</summary>
    /// <exception cref="ArgumentException">The observation is not 5 values long.</exception>
    public static double ComputeAction(ReadOnlySpan<double> observation, out SwingUpControllerMode mode)
    {
        if (observation.Length != SwingUpConstants.ObservationSize)
        {
            throw new ArgumentException(
                $"Expected an observation of {SwingUpConstants.ObservationSize} values, got {observation.Length}.",
                nameof(observation));
        }

        var x = observation[0];
        var vx = observation[1];
        var cos = observation[2];
        var sin = observation[3];
        var thetaDot = observation[4];
        var energy = PoleEnergy(cos, thetaDot);

        double force;
        if (cos > _balanceCosine && Math.Abs(energy) < BalanceEnergy)
        {
            mode = SwingUpControllerMode.Balance;
            var phi = Math.Atan2(sin, cos);
            force = (GainX * x) + (GainVelocity * vx) + (GainAngle * phi) + (GainAngularVelocity * thetaDot);
        }
        else
        {
            mode = SwingUpControllerMode.SwingUp;
            const double m = SwingUpConstants.PoleMass;
            const double l = ModelPoleLength;
            var acceleration = (EnergyGain * energy * thetaDot * cos) - (CentringGain * x) - (CartDampingGain * vx);
            var angularAcceleration = ((m * SwingUpConstants.Gravity * l * sin) - (m * l * cos * acceleration)) / ModelPoleInertia;
            force = (SwingUpConstants.TotalMass * acceleration)
                + (m * l * cos * angularAcceleration)
                - (m * l * sin * thetaDot * thetaDot);
        }

        return Math.Clamp(force / SwingUpConstants.ForceScale, SwingUpConstants.ActionLow, SwingUpConstants.ActionHigh);
    }

    /// <summary>Runs one full episode of <paramref name="env"/> from θ = 3.1415 + <paramref name="thetaOffset"/> under this controller.</summary>
    /// <returns>The undiscounted return over <see cref="SwingUpConstants.MaxEpisodeSteps"/> steps.</returns>
    public static double RunEpisode(CartPoleSwingUpEnv env, double thetaOffset)
    {
        ArgumentNullException.ThrowIfNull(env);
        Span<double> observation = stackalloc double[SwingUpConstants.ObservationSize];
        Span<double> action = stackalloc double[SwingUpConstants.ActionSize];
        env.Reset(thetaOffset, observation);
        var total = 0.0;
        StepOutcome outcome;
        do
        {
            action[0] = ComputeAction(observation);
            outcome = env.Step(action, observation);
            total += outcome.Reward;
        }
        while (!outcome.Truncated);

        return total;
    }
}

namespace A3cGrpc.Simulation;

/// <summary>
/// Every constant of pybullet's <c>InvertedPendulumSwingupBulletEnv-v0</c>, in one place.
/// Each value cites its section of docs/env-spec.md. The model
/// constants are the digits pybullet reports (spec §4 item 15: use them, do not recompute).
/// The native shim holds none of these; they are passed to it when a world is created.
/// </summary>
public static class SwingUpConstants
{
    // ---- The gym contract (spec §1) ----

    /// <summary>The environment's registered gym id (§1).</summary>
    public const string EnvironmentId = "InvertedPendulumSwingupBulletEnv-v0";

    /// <summary>Episode length: gym's TimeLimit cuts the episode after 1000 steps (§1, <c>max_episode_steps</c>).</summary>
    public const int MaxEpisodeSteps = 1000;

    /// <summary>The registered <c>reward_threshold</c> (§1).</summary>
    public const double RewardThreshold = 800.0;

    /// <summary>Observation length: <c>[x, vx, cos θ, sin θ, θ̇]</c> (§1, obs_dim 5).</summary>
    public const int ObservationSize = 5;

    /// <summary>
    /// The largest magnitude the services accept for an observation value (<c>Act</c>, pushed observation statistics):
    /// the simulator's own stay within a few tens (the cart within ±1 m, velocities of metres and radians per second),
    /// and 1e6 keeps every product of the first layer far from float32's overflow.
    /// </summary>
    public const double MaxAbsObservation = 1e6;

    /// <summary>The largest magnitude of one step's reward: <c>cos θ</c> lies in [−1, 1] (§1).</summary>
    public const double MaxAbsReward = 1.0;

    /// <summary>Action length (§1, action_dim 1).</summary>
    public const int ActionSize = 1;

    /// <summary>Lower bound of the action space; actions are clipped to it (§1, <c>Box(-1, 1)</c>).</summary>
    public const double ActionLow = -1.0;

    /// <summary>Upper bound of the action space; actions are clipped to it (§1, <c>Box(-1, 1)</c>).</summary>
    public const double ActionHigh = 1.0;

    /// <summary>Slider force in newtons per unit of clipped action (§1: <c>100 * clip(a, -1, 1)</c>).</summary>
    public const double ForceScale = 100.0;

    /// <summary>Seconds per environment step: one physics step of 0.0165 s, frame_skip 1 (§1, §3).</summary>
    public const double TimeStep = 0.0165;

    /// <summary>Reset angle before noise: 3.1415, <b>not</b> π (§1 reset, step 5).</summary>
    public const double ResetTheta = 3.1415;

    /// <summary>Half-width of the reset noise: u ~ U[-0.1, 0.1) (§1 reset, step 4).</summary>
    public const double ResetNoise = 0.1;

    // ---- The simulation settings (spec §3, §4 items 2-3) ----

    /// <summary>Gravity magnitude; the world gets (0, 0, −9.8). The MJCF's 9.81 is ignored (§2.1, §3).</summary>
    public const double Gravity = 9.8;

    /// <summary>Solver iterations, <c>numSolverIterations=5</c> (§3, §4 item 3).</summary>
    public const int SolverIterations = 5;

    /// <summary>Bullet's non-contact ERP, left at its default 0.2; it drives the slider limit (§3). Not set by the shim.</summary>
    public const double SolverErp = 0.2;

    /// <summary>Contact ERP <c>m_erp2</c> from <c>setDefaultContactERP(0.9)</c> (§3, §4 item 3).</summary>
    public const double ContactErp = 0.9;

    /// <summary><c>m_frictionERP</c> as pybullet sets it (§3, §4 item 3).</summary>
    public const double FrictionErp = 0.2;

    /// <summary><c>m_linearSlop</c> as pybullet sets it (§3, §4 item 3).</summary>
    public const double LinearSlop = 1e-5;

    /// <summary><c>m_warmstartingFactor</c> as pybullet sets it (§3, §4 item 3).</summary>
    public const double WarmstartingFactor = 0.1;

    /// <summary><c>m_minimumSolverBatchSize</c> as pybullet sets it (§3, §4 item 3).</summary>
    public const int MinimumSolverBatchSize = 0;

    /// <summary><c>m_leastSquaresResidualThreshold</c> as pybullet sets it (§3, §4 item 3).</summary>
    public const double LeastSquaresResidualThreshold = 1e-7;

    /// <summary>
    /// Bullet's default split-impulse penetration threshold, written as the float literal
    /// <c>-.04f</c> in btContactSolverInfo.h, hence −0.039999999105930328 in double (§3). Not set by the shim.
    /// </summary>
    public const double SplitImpulsePenetrationThreshold = -0.04f;

    /// <summary>
    /// btMultiBody's default linear damping 0.04, part of the dynamics (§3, §4 item 8). Not set by
    /// the shim. The constructor writes the float literal 0.04f, so Bullet holds
    /// 0.039999999105930328 (read back from Bullet 3.24; the §5 trajectories are computed with it).
    /// </summary>
    public const double MultiBodyLinearDamping = 0.04f;

    /// <summary>btMultiBody's default angular damping 0.04 (float literal, like the linear one), part of the dynamics (§3, §4 item 8). Not set by the shim.</summary>
    public const double MultiBodyAngularDamping = 0.04f;

    /// <summary>btMultiBody's joint velocity clamp, ±100 (§3, §4 item 8). Not set by the shim.</summary>
    public const double MaxJointVelocity = 100.0;

    /// <summary>Default maximum impulse of the slider-limit rows, N·s (§3, §4 item 9). Not set by the shim.</summary>
    public const double SliderLimitMaxImpulse = 100.0;

    // ---- The model (spec §2.3-§2.5, §4 items 5, 6 and 9) ----

    /// <summary>Cart mass, kg, as pybullet reports it (§2.3, §4 item 5, §5.1).</summary>
    public const double CartMass = 10.47197598009977;

    /// <summary>Cart inertia about x, kg·m² (§2.4, §4 item 5).</summary>
    public const double CartInertiaX = 0.06981317528125984;

    /// <summary>Cart inertia about y, kg·m² (§2.4, §4 item 5).</summary>
    public const double CartInertiaY = 0.1745329382031496;

    /// <summary>Cart inertia about z, kg·m² (§2.4, §4 item 5).</summary>
    public const double CartInertiaZ = 0.1745329382031496;

    /// <summary>Pole mass, kg, as pybullet reports it (§2.3, §4 item 6, §5.1).</summary>
    public const double PoleMass = 5.018591545810472;

    /// <summary>Pole inertia about x at its centre of mass, kg·m² (§2.4, §4 item 6).</summary>
    public const double PoleInertiaX = 0.26639019844481543;

    /// <summary>Pole inertia about y (the hinge axis) at its centre of mass, kg·m² (§2.4, §4 item 6, §5.1).</summary>
    public const double PoleInertiaY = 0.26653950154827094;

    /// <summary>Pole inertia about z at its centre of mass, kg·m² (§2.4, §4 item 6).</summary>
    public const double PoleInertiaZ = 0.026650811429848154;

    /// <summary>Hinge-to-centre-of-mass offset along x, pole frame, m (§2.4, §4 item 6).</summary>
    public const double PoleCenterOfMassX = 0.0005000000237487257;

    /// <summary>Hinge-to-centre-of-mass offset along y, pole frame, m (§2.4, §4 item 6).</summary>
    public const double PoleCenterOfMassY = 0.0;

    /// <summary>Hinge-to-centre-of-mass offset along z, pole frame, m (§2.4, §4 item 6).</summary>
    public const double PoleCenterOfMassZ = 0.30000001192092896;

    /// <summary>Lower slider limit, m, enforced by a btMultiBodyJointLimitConstraint (§2.5, §4 item 9).</summary>
    public const double SliderLowerLimit = -1.0;

    /// <summary>Upper slider limit, m (§2.5, §4 item 9). The cart can pass it by up to one step of travel (§3).</summary>
    public const double SliderUpperLimit = 1.0;

    // ---- Derived from the model constants (spec §2.4, §5.1-§5.3) ----

    /// <summary>Total moving mass M + m, kg (§2.3: 15.49057).</summary>
    public const double TotalMass = CartMass + PoleMass;

    /// <summary>Distance l from the hinge to the pole's centre of mass, m (§2.4, §5.1: 0.3000004286).</summary>
    public static readonly double PoleCenterOfMassDistance =
        Math.Sqrt((PoleCenterOfMassX * PoleCenterOfMassX) + (PoleCenterOfMassZ * PoleCenterOfMassZ));

    /// <summary>Angle δ by which the centre of mass leans from the pole's axis, rad (§2.4, §5.2: 0.0016667).</summary>
    public static readonly double PoleCenterOfMassAngle = Math.Atan2(PoleCenterOfMassX, PoleCenterOfMassZ);

    /// <summary>Pole inertia about the hinge, I_p = Iyy + m·l², kg·m² (§2.4, §5.1: 0.7182140).</summary>
    public static readonly double PoleInertiaAboutHinge =
        PoleInertiaY + (PoleMass * PoleCenterOfMassDistance * PoleCenterOfMassDistance);

    /// <summary>Angle at which the pole hangs at rest, θ_eq = π − δ, rad (§5.3: 3.1399260).</summary>
    public static readonly double HangingEquilibriumTheta = Math.PI - PoleCenterOfMassAngle;
}

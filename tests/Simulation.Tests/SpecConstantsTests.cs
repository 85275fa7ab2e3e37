using A3cGrpc.Simulation.Interop;
using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>
/// docs/env-spec.md §5.1 constants and the §4 checklist, checked both in <see cref="SwingUpConstants"/>
/// and in what Bullet itself holds (read back through <c>a3c_world_get_info</c>).
/// </summary>
public sealed class SpecConstantsTests
{
    [Fact]
    public void ModelConstants_AsWritten_MatchSpecDigitsExactly()
    {
        // Arrange / Act: the constants are the spec's digits, so they must be bit-identical.
        // Assert (§5.1, §4 items 5-6)
        Assert.Equal(10.47197598009977, SwingUpConstants.CartMass);
        Assert.Equal(5.018591545810472, SwingUpConstants.PoleMass);
        Assert.Equal(0.06981317528125984, SwingUpConstants.CartInertiaX);
        Assert.Equal(0.1745329382031496, SwingUpConstants.CartInertiaY);
        Assert.Equal(0.1745329382031496, SwingUpConstants.CartInertiaZ);
        Assert.Equal(0.26639019844481543, SwingUpConstants.PoleInertiaX);
        Assert.Equal(0.26653950154827094, SwingUpConstants.PoleInertiaY);
        Assert.Equal(0.026650811429848154, SwingUpConstants.PoleInertiaZ);
        Assert.Equal(0.0005000000237487257, SwingUpConstants.PoleCenterOfMassX);
        Assert.Equal(0.0, SwingUpConstants.PoleCenterOfMassY);
        Assert.Equal(0.30000001192092896, SwingUpConstants.PoleCenterOfMassZ);
    }

    [Fact]
    public void GymContractConstants_AsWritten_MatchSpec()
    {
        // Assert (§1, §3): exact values, nothing to round.
        Assert.Equal(1000, SwingUpConstants.MaxEpisodeSteps);
        Assert.Equal(800.0, SwingUpConstants.RewardThreshold);
        Assert.Equal(0.0165, SwingUpConstants.TimeStep);
        Assert.Equal(100.0, SwingUpConstants.ForceScale);
        Assert.Equal(3.1415, SwingUpConstants.ResetTheta);
        Assert.Equal(0.1, SwingUpConstants.ResetNoise);
        Assert.Equal(5, SwingUpConstants.ObservationSize);
        Assert.Equal(1, SwingUpConstants.ActionSize);
        Assert.Equal(-1.0, SwingUpConstants.ActionLow);
        Assert.Equal(1.0, SwingUpConstants.ActionHigh);
        Assert.Equal(9.8, SwingUpConstants.Gravity);
        Assert.Equal(5, SwingUpConstants.SolverIterations);
    }

    [Fact]
    public void DerivedConstants_FromModelConstants_RoundToSpecValues()
    {
        // Assert: printed-digit tolerance (see Spec): §2.3 total mass, §5.1 l and I_p, §5.2 δ, §5.3 θ_eq.
        Spec.Printed("15.49057", SwingUpConstants.TotalMass, "M + m");
        Spec.Printed("0.3000004286", SwingUpConstants.PoleCenterOfMassDistance, "l");
        Spec.Printed("0.7182140", SwingUpConstants.PoleInertiaAboutHinge, "I_p");
        Spec.Printed("0.0016667", SwingUpConstants.PoleCenterOfMassAngle, "delta");
        Spec.Printed("3.1399260", SwingUpConstants.HangingEquilibriumTheta, "theta_eq");
    }

    [Fact]
    public void NativeModel_ReadBackFromBullet_HoldsTheSpecMassesInertiasAndCentreOfMass()
    {
        // Arrange
        using var world = NativeWorld.Create(1);

        // Act
        var info = world.GetInfo(0);

        // Assert: values pass through unchanged, so bit-identical (§4 items 4-7, §5.1).
        Assert.Equal(2, info.LinkCount);
        Assert.Equal(1, info.FixedBase);
        Assert.Equal(0, info.CanSleep);
        Assert.Equal(SwingUpConstants.CartMass, info.CartMass);
        Assert.Equal(SwingUpConstants.CartInertiaX, info.CartInertiaX);
        Assert.Equal(SwingUpConstants.CartInertiaY, info.CartInertiaY);
        Assert.Equal(SwingUpConstants.CartInertiaZ, info.CartInertiaZ);
        Assert.Equal(SwingUpConstants.PoleMass, info.PoleMass);
        Assert.Equal(SwingUpConstants.PoleInertiaX, info.PoleInertiaX);
        Assert.Equal(SwingUpConstants.PoleInertiaY, info.PoleInertiaY);
        Assert.Equal(SwingUpConstants.PoleInertiaZ, info.PoleInertiaZ);
        Assert.Equal(SwingUpConstants.PoleCenterOfMassX, info.PoleComX);
        Assert.Equal(SwingUpConstants.PoleCenterOfMassY, info.PoleComY);
        Assert.Equal(SwingUpConstants.PoleCenterOfMassZ, info.PoleComZ);
        Assert.Equal((1.0, 0.0, 0.0), (info.SliderAxisX, info.SliderAxisY, info.SliderAxisZ));
        Assert.Equal((0.0, 1.0, 0.0), (info.HingeAxisX, info.HingeAxisY, info.HingeAxisZ));
    }

    [Fact]
    public void NativeWorld_ReadBackFromBullet_HoldsTheChecklistSettings()
    {
        // Arrange
        using var world = NativeWorld.Create(1);

        // Act
        var info = world.GetInfo(0);

        // Assert: §4 item 2 (gravity), 3 (solver), 8 (multibody defaults), 9 (slider limit), 10 (colliders).
        Assert.Equal((0.0, 0.0, -9.8), (info.GravityX, info.GravityY, info.GravityZ));
        Assert.Equal(5, info.SolverIterations);
        Assert.Equal(SwingUpConstants.SolverErp, info.Erp);
        Assert.Equal(1, info.SplitImpulse);
        Assert.Equal(SwingUpConstants.SplitImpulsePenetrationThreshold, info.SplitImpulsePenetrationThreshold);
        Assert.Equal(-0.04, info.SplitImpulsePenetrationThreshold, 1e-8);
        Assert.Equal(0.9, info.Erp2);
        Assert.Equal(0.2, info.FrictionErp);
        Assert.Equal(1e-5, info.LinearSlop);
        Assert.Equal(0.1, info.WarmstartingFactor);
        Assert.Equal(0, info.MinimumSolverBatchSize);
        Assert.Equal(1e-7, info.LeastSquaresResidualThreshold);
        Assert.Equal(SwingUpConstants.MultiBodyLinearDamping, info.LinearDamping);
        Assert.Equal(SwingUpConstants.MultiBodyAngularDamping, info.AngularDamping);
        Assert.Equal(0.04, info.LinearDamping, 1e-8);
        Assert.Equal(0.04, info.AngularDamping, 1e-8);
        Assert.Equal(1, info.UseGyroTerm);
        Assert.Equal(0, info.UseGlobalVelocities);
        Assert.Equal(100.0, info.MaxCoordinateVelocity);
        Assert.Equal(1, info.MultiBodyConstraintCount);
        Assert.Equal(-1.0, info.SliderLower);
        Assert.Equal(1.0, info.SliderUpper);
        Assert.Equal(100.0, info.SliderMaxAppliedImpulse);
        Assert.Equal(3, info.CollisionObjectCount);
        Assert.Equal(0, info.ColliderFilterGroup);
        Assert.Equal(0, info.ColliderFilterMask);
    }
}

using System.Runtime.InteropServices;

namespace A3cGrpc.Simulation.Interop;

/// <summary>
/// Mirror of <c>a3c_world_info</c> (a3c_bullet.h): the model and solver settings read back
/// from Bullet's own objects, so tests can check what the physics actually uses.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WorldInfo
{
    public int StructSize;
    public int LinkCount;
    public int FixedBase;
    public int CanSleep;
    public int UseGyroTerm;
    public int UseGlobalVelocities;
    public int SolverIterations;
    public int SplitImpulse;
    public int MinimumSolverBatchSize;
    public int MultiBodyConstraintCount;
    public int CollisionObjectCount;
    public int ColliderFilterGroup;
    public int ColliderFilterMask;
    public int Reserved;
    public double GravityX;
    public double GravityY;
    public double GravityZ;
    public double CartMass;
    public double CartInertiaX;
    public double CartInertiaY;
    public double CartInertiaZ;
    public double PoleMass;
    public double PoleInertiaX;
    public double PoleInertiaY;
    public double PoleInertiaZ;
    public double PoleComX;
    public double PoleComY;
    public double PoleComZ;
    public double SliderAxisX;
    public double SliderAxisY;
    public double SliderAxisZ;
    public double HingeAxisX;
    public double HingeAxisY;
    public double HingeAxisZ;
    public double LinearDamping;
    public double AngularDamping;
    public double MaxCoordinateVelocity;
    public double SliderLower;
    public double SliderUpper;
    public double SliderMaxAppliedImpulse;
    public double Erp;
    public double Erp2;
    public double FrictionErp;
    public double LinearSlop;
    public double WarmstartingFactor;
    public double LeastSquaresResidualThreshold;
    public double SplitImpulsePenetrationThreshold;
}

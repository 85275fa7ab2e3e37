using System.Runtime.InteropServices;

namespace A3cGrpc.Simulation.Interop;

/// <summary>
/// Mirror of <c>a3c_cartpole_params</c> (a3c_bullet.h). Every value comes from
/// <see cref="SwingUpConstants"/>, so the native shim holds no environment constant.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CartPoleParams
{
    public int StructSize;
    public int SolverIterations;
    public int MinimumSolverBatchSize;
    public int Reserved;
    public double TimeStep;
    public double Gravity;
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
    public double SliderLower;
    public double SliderUpper;
    public double Erp2;
    public double FrictionErp;
    public double LinearSlop;
    public double WarmstartingFactor;
    public double LeastSquaresResidualThreshold;

    /// <summary>The environment of docs/env-spec.md §4, items 2-9.</summary>
    public static CartPoleParams FromConstants() => new()
    {
        StructSize = Marshal.SizeOf<CartPoleParams>(),
        SolverIterations = SwingUpConstants.SolverIterations,
        MinimumSolverBatchSize = SwingUpConstants.MinimumSolverBatchSize,
        TimeStep = SwingUpConstants.TimeStep,
        Gravity = SwingUpConstants.Gravity,
        CartMass = SwingUpConstants.CartMass,
        CartInertiaX = SwingUpConstants.CartInertiaX,
        CartInertiaY = SwingUpConstants.CartInertiaY,
        CartInertiaZ = SwingUpConstants.CartInertiaZ,
        PoleMass = SwingUpConstants.PoleMass,
        PoleInertiaX = SwingUpConstants.PoleInertiaX,
        PoleInertiaY = SwingUpConstants.PoleInertiaY,
        PoleInertiaZ = SwingUpConstants.PoleInertiaZ,
        PoleComX = SwingUpConstants.PoleCenterOfMassX,
        PoleComY = SwingUpConstants.PoleCenterOfMassY,
        PoleComZ = SwingUpConstants.PoleCenterOfMassZ,
        SliderLower = SwingUpConstants.SliderLowerLimit,
        SliderUpper = SwingUpConstants.SliderUpperLimit,
        Erp2 = SwingUpConstants.ContactErp,
        FrictionErp = SwingUpConstants.FrictionErp,
        LinearSlop = SwingUpConstants.LinearSlop,
        WarmstartingFactor = SwingUpConstants.WarmstartingFactor,
        LeastSquaresResidualThreshold = SwingUpConstants.LeastSquaresResidualThreshold,
    };
}

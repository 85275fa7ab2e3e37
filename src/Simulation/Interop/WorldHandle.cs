using Microsoft.Win32.SafeHandles;

namespace A3cGrpc.Simulation.Interop;

/// <summary>Owns one native <c>a3c_world</c>; released with <c>a3c_world_destroy</c>.</summary>
internal sealed class WorldHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Called by the interop marshaller for the <c>out</c> parameter of <c>a3c_world_create</c>.</summary>
    public WorldHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => NativeMethods.WorldDestroy(handle) == NativeStatus.Ok;
}

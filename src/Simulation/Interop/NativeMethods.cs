using System.Runtime.InteropServices;

namespace A3cGrpc.Simulation.Interop;

/// <summary>
/// Every entry point of the native shim liba3c_bullet.so (src/Simulation/native/a3c_bullet.h).
/// The library is built by native/NativeShim.targets and copied next to the assemblies.
/// </summary>
internal static unsafe partial class NativeMethods
{
    /// <summary>Resolved by the runtime as liba3c_bullet.so in the application folder.</summary>
    public const string LibraryName = "a3c_bullet";

    /// <summary>The <c>A3C_ABI_VERSION</c> these declarations were written for.</summary>
    public const int ExpectedAbiVersion = 1;

    /// <summary>Doubles per state: x, vx, theta, theta_dot (<c>A3C_STATE_SIZE</c>).</summary>
    public const int StateSize = 4;

    [LibraryImport(LibraryName, EntryPoint = "a3c_abi_version")]
    public static partial int AbiVersion();

    [LibraryImport(LibraryName, EntryPoint = "a3c_last_error")]
    public static partial byte* LastError();

    [LibraryImport(LibraryName, EntryPoint = "a3c_world_create")]
    public static partial NativeStatus WorldCreate(in CartPoleParams parameters, int count, out WorldHandle world);

    [LibraryImport(LibraryName, EntryPoint = "a3c_world_destroy")]
    public static partial NativeStatus WorldDestroy(nint world);

    [LibraryImport(LibraryName, EntryPoint = "a3c_world_reset")]
    public static partial NativeStatus WorldReset(WorldHandle world, int index, double* state, double* outState);

    [LibraryImport(LibraryName, EntryPoint = "a3c_world_step")]
    public static partial NativeStatus WorldStep(WorldHandle world, double* forces, int forceCount, double* outStates, int stateLength);

    [LibraryImport(LibraryName, EntryPoint = "a3c_world_get_state")]
    public static partial NativeStatus WorldGetState(WorldHandle world, double* outStates, int stateLength);

    [LibraryImport(LibraryName, EntryPoint = "a3c_world_get_info")]
    public static partial NativeStatus WorldGetInfo(WorldHandle world, int index, ref WorldInfo info);

    /// <summary>Throws <see cref="BulletException"/> with the native message unless <paramref name="status"/> is OK.</summary>
    public static void ThrowIfFailed(NativeStatus status, string operation)
    {
        if (status != NativeStatus.Ok)
        {
            throw new BulletException(operation, (int)status, ReadLastError());
        }
    }

    /// <summary>The calling thread's last native error message (copied; the native buffer is not freed).</summary>
    public static string ReadLastError()
    {
        var message = Marshal.PtrToStringUTF8((nint)LastError());
        return string.IsNullOrEmpty(message) ? "(no message)" : message;
    }
}

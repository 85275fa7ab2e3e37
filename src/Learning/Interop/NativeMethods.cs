using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace A3cGrpc.Learning.Interop;

/// <summary>
/// The two native entry points the learning core needs beyond TorchSharp: the C library's floating-point
/// environment (to save and restore the caller's) and LibTorch's own switch for flushing denormal numbers
/// (what <c>torch.set_flush_denormal</c> calls in PyTorch).
/// </summary>
internal static unsafe partial class NativeMethods
{
    private const string MathLibrary = "libm.so.6";

    private static readonly Lazy<nint> _setFlushDenormal = new(() => ResolveTorchExport("_ZN2at7Context16setFlushDenormalEb"));
    private static readonly Lazy<nint> _globalContext = new(() => ResolveTorchExport("_ZN2at13globalContextEv"));

    /// <summary>C's fenv_t is 32 bytes on x86-64 glibc; 64 leaves room and keeps the buffer opaque.</summary>
    [InlineArray(8)]
    internal struct FloatingPointEnvironment
    {
        private long _element;
    }

    [LibraryImport(MathLibrary, EntryPoint = "fegetenv")]
    internal static partial int GetFloatingPointEnvironment(ref FloatingPointEnvironment environment);

    [LibraryImport(MathLibrary, EntryPoint = "fesetenv")]
    internal static partial int SetFloatingPointEnvironment(ref FloatingPointEnvironment environment);

    /// <summary>
    /// Turns flushing of denormal numbers to zero on or off for the calling thread (x86 FTZ and DAZ), through
    /// <c>at::Context::setFlushDenormal</c>. False when the CPU or the library cannot do it.
    /// </summary>
    internal static bool TrySetFlushDenormal(bool on)
    {
        var function = _setFlushDenormal.Value;
        var context = _globalContext.Value;
        if (function == 0 || context == 0)
        {
            return false;
        }

        return ((delegate* unmanaged<nint, byte, byte>)function)(context, on ? (byte)1 : (byte)0) != 0;
    }

    /// <summary>
    /// An export of libtorch_cpu, which TorchSharp has already loaded (the loader finds it again by its soname).
    /// Zero when it is not there (another platform or LibTorch build).
    /// </summary>
    private static nint ResolveTorchExport(string name)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return 0;
        }

        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        return NativeLibrary.TryLoad("libtorch_cpu.so", Assembly.GetExecutingAssembly(), null, out var library)
            && NativeLibrary.TryGetExport(library, name, out var export)
            ? export
            : 0;
    }
}

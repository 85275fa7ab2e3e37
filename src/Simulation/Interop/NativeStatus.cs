namespace A3cGrpc.Simulation.Interop;

/// <summary>Status codes returned by every <c>a3c_*</c> function (<c>a3c_status</c> in a3c_bullet.h).</summary>
internal enum NativeStatus
{
    Ok = 0,
    InvalidArgument = 1,
    OutOfMemory = 2,
    NativeError = 3,
    UnknownError = 4,
}

namespace A3cGrpc.Simulation;

/// <summary>
/// A call into the native Bullet shim (liba3c_bullet.so) failed. The message carries the
/// native function, its status and the shim's own error text.
/// </summary>
public sealed class BulletException : Exception
{
    /// <summary>Creates an exception with a message and no native details.</summary>
    public BulletException()
        : this("The native Bullet shim failed.")
    {
    }

    /// <summary>Creates an exception with a message and no native details.</summary>
    public BulletException(string message)
        : base(message)
    {
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception with a message, an inner exception and no native details.</summary>
    public BulletException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception for a failed native call.</summary>
    /// <param name="operation">The native function, e.g. <c>a3c_world_step</c>.</param>
    /// <param name="statusCode">The <c>a3c_status</c> it returned.</param>
    /// <param name="nativeMessage">The shim's thread-local last-error text.</param>
    public BulletException(string operation, int statusCode, string nativeMessage)
        : base($"{operation} failed with status {statusCode} ({DescribeStatus(statusCode)}): {nativeMessage}")
    {
        Operation = operation;
        StatusCode = statusCode;
        NativeMessage = nativeMessage;
    }

    /// <summary>The native function that failed; empty when not from a native call.</summary>
    public string Operation { get; }

    /// <summary>The native <c>a3c_status</c> code (1 invalid argument, 2 out of memory, 3 native error, 4 unknown).</summary>
    public int StatusCode { get; }

    /// <summary>The shim's error text.</summary>
    public string NativeMessage { get; }

    private static string DescribeStatus(int statusCode) => statusCode switch
    {
        1 => "invalid argument",
        2 => "out of memory",
        3 => "native error",
        4 => "unknown native exception",
        _ => "unexpected status",
    };
}

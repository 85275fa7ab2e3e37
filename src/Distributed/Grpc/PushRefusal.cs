using Grpc.Core;

namespace A3cGrpc.Distributed;

/// <summary>
/// Why the parameter server refused a push (FAILED_PRECONDITION, or INVALID_ARGUMENT for <see cref="Unsafe"/>), sent as
/// the response trailer <see cref="TrailerName"/> so that clients act on it without parsing the human-readable message.
/// </summary>
public static class PushRefusal
{
    /// <summary>The trailer's name.</summary>
    public const string TrailerName = "a3c-push-refused";

    /// <summary>Training has finished (a budget, or solved): pushes are refused until it trains again.</summary>
    public const string Finished = "finished";

    /// <summary>The push's base version is more than the staleness bound behind.</summary>
    public const string TooStale = "too-stale";

    /// <summary>The push's base version is one this server never produced (it restarted from a checkpoint).</summary>
    public const string UnknownVersion = "unknown-version";

    /// <summary>
    /// The update would have poisoned the model (a gradient norm beyond the server's bound, statistics that do not merge
    /// into finite ones, or a step whose result was not finite): INVALID_ARGUMENT, nothing applied. A worker drops it
    /// and goes on with fresh weights.
    /// </summary>
    public const string Unsafe = "unsafe";

    /// <summary>The FAILED_PRECONDITION the server answers with, carrying <paramref name="reason"/>.</summary>
    public static RpcException Exception(string reason, string message) =>
        new(new Status(StatusCode.FailedPrecondition, message), new Metadata { { TrailerName, reason } });

    /// <summary>The INVALID_ARGUMENT of an <see cref="Unsafe"/> update.</summary>
    public static RpcException UnsafeException(string message) =>
        new(new Status(StatusCode.InvalidArgument, message), new Metadata { { TrailerName, Unsafe } });

    /// <summary>The reason a refused push carries, or null (another error, or a server without the trailer).</summary>
    public static string? ReasonOf(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.StatusCode is StatusCode.FailedPrecondition or StatusCode.InvalidArgument
            ? exception.Trailers.GetValue(TrailerName)
            : null;
    }
}

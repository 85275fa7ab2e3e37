using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Options;
using Grpc.Core;

namespace A3cGrpc.ParameterServer.Services;

/// <summary>Authorisation and input checks shared by the services: each failure is an <see cref="RpcException"/> with a clear message.</summary>
public static class RequestChecks
{
    /// <summary>Requires <c>authorization: Bearer <paramref name="token"/></c> (UNAUTHENTICATED otherwise).</summary>
    public static void RequireBearer(ServerCallContext context, string token, string what)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!BearerToken.Matches(context.RequestHeaders, token))
        {
            var presented = context.RequestHeaders.GetValue(BearerToken.HeaderName) is null ? "no" : "a wrong";
            throw new RpcException(new Status(
                StatusCode.Unauthenticated, $"{what} needs 'authorization: Bearer <token>' metadata with the server's token; the call had {presented} token."));
        }
    }

    /// <summary>True when the call carries the read token or the push token (either may read the model and the run).</summary>
    public static bool IsReader(ServerCallContext context, ParameterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return (options.ReadToken is { Length: > 0 } read && BearerToken.Matches(context.RequestHeaders, read))
               || (options.PushToken is { Length: > 0 } push && BearerToken.Matches(context.RequestHeaders, push));
    }

    /// <summary>When a read token is configured, requires it or the push token (UNAUTHENTICATED otherwise).</summary>
    public static void RequireReader(ServerCallContext context, ParameterServerOptions options, string what)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.ReadToken) || IsReader(context, options))
        {
            return;
        }

        var presented = context.RequestHeaders.GetValue(BearerToken.HeaderName) is null ? "no" : "a wrong";
        throw new RpcException(new Status(
            StatusCode.Unauthenticated,
            $"{what} needs 'authorization: Bearer <token>' metadata with the server's read token (or push token); the call had {presented} token."));
    }

    /// <summary>INVALID_ARGUMENT with <paramref name="message"/>.</summary>
    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    /// <summary>FAILED_PRECONDITION with <paramref name="message"/>.</summary>
    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    /// <summary>Requires a non-empty id of at most <paramref name="maxLength"/> characters.</summary>
    public static void RequireId(string value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"{field} must not be empty.");
        }

        if (value.Length > maxLength)
        {
            throw Invalid($"{field} must be at most {maxLength} characters, got {value.Length}.");
        }
    }

    /// <summary>Requires a finite number.</summary>
    public static void RequireFinite(double value, string field)
    {
        if (!double.IsFinite(value))
        {
            throw Invalid($"{field} must be a finite number, got {value}.");
        }
    }

    /// <summary>Requires a value of zero or more.</summary>
    public static void RequireNonNegative(long value, string field)
    {
        if (value < 0)
        {
            throw Invalid($"{field} must not be negative, got {value}.");
        }
    }
}

using A3cGrpc.Distributed;
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

using System.Globalization;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.ParameterServer.Runs;
using Grpc.Core;
using Grpc.Health.V1;

namespace A3cGrpc.ParameterServer.Hosting;

/// <summary>
/// Checks made on a call's headers, before its message is read (so before the message size limit applies): the push
/// token of <c>PushGradients</c> (an unauthenticated caller gets UNAUTHENTICATED, not RESOURCE_EXHAUSTED, and its body
/// is never read), and, with <c>ParameterServer:PolicyPort</c> set, that the policy port serves only the policy,
/// health and reflection (so <c>grpcurl</c> works there; PERMISSION_DENIED for anything else). Answers in gRPC's trailers-only form, with the same messages as the services.
/// </summary>
public sealed class CallAdmission(RequestDelegate next, RunSetup setup)
{
    /// <summary>The path of the push.</summary>
    public static readonly string PushPath = $"/{ParameterStore.Descriptor.FullName}/{nameof(ParameterStore.ParameterStoreClient.PushGradients)}";

    private static readonly string[] _policyPortServices =
    [
        $"/{Policy.Descriptor.FullName}/", $"/{Health.Descriptor.FullName}/", "/grpc.reflection.v1.ServerReflection/", "/grpc.reflection.v1alpha.ServerReflection/",
    ];

    /// <summary>Admits the call to the next handler, or answers it with an error status.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? string.Empty;
        var policyPort = setup.Server.PolicyPort;
        if (policyPort > 0 && context.Connection.LocalPort == policyPort
            && !_policyPortServices.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return Refuse(
                context, StatusCode.PermissionDenied,
                $"port {policyPort} serves only the policy ({Policy.Descriptor.FullName}), health and reflection; {path} is served on the server's main port.");
        }

        if (string.Equals(path, PushPath, StringComparison.Ordinal)
            && !BearerToken.Matches(context.Request.Headers.Authorization.ToString() is { Length: > 0 } value ? value : null, setup.Server.PushToken))
        {
            var presented = context.Request.Headers.Authorization.Count == 0 ? "no" : "a wrong";
            return Refuse(
                context, StatusCode.Unauthenticated,
                $"PushGradients needs 'authorization: Bearer <token>' metadata with the server's token; the call had {presented} token.");
        }

        return next(context);
    }

    /// <summary>A trailers-only gRPC response: HTTP 200, <c>grpc-status</c> and a percent-encoded <c>grpc-message</c> in the headers, no body.</summary>
    private static Task Refuse(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return Task.CompletedTask;
    }
}

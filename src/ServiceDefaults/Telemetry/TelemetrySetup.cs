using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace A3cGrpc.ServiceDefaults.Telemetry;

/// <summary>OpenTelemetry for every A3cGrpc process, configured the same way.</summary>
public static class TelemetrySetup
{
    /// <summary>The standard variable that turns on OTLP export (traces and metrics).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The operation name of Grpc.Net.Client's per-call activity.</summary>
    private const string GrpcClientActivityName = "Grpc.Net.Client.GrpcOut";

    /// <summary>
    /// Adds tracing (our sources, incoming ASP.NET Core gRPC calls, outgoing HttpClient/gRPC calls) and metrics
    /// (our meter, Polly's, runtime, ASP.NET Core). Exports with OTLP when <see cref="OtlpEndpointVariable"/> is set
    /// (in configuration or the environment), and writes finished spans as JSON lines to
    /// <see cref="TelemetryOptions.SpanFile"/> when that is set; both may be on.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="serviceName">OpenTelemetry <c>service.name</c> (e.g. "a3c-worker").</param>
    /// <param name="instanceId">OpenTelemetry <c>service.instance.id</c> (e.g. the worker id).</param>
    /// <param name="sources">The activity sources this process starts spans from.</param>
    public static IHostApplicationBuilder AddA3cTelemetry(
        this IHostApplicationBuilder builder, string serviceName, string instanceId, params string[] sources)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: instanceId))
            .WithTracing(tracing =>
            {
                // Grpc.Net.Client starts a legacy (DiagnosticListener) activity per call, the parent of the HttpClient
                // span; recording it keeps the chain from our spans to the server's unbroken.
                tracing.AddSource(sources)
                    .AddLegacySource(GrpcClientActivityName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHealthCheck(context.Request.Path))
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(options.SpanFile))
                {
                    tracing.AddProcessor(new BatchActivityExportProcessor(new JsonLinesSpanExporter(options.SpanFile, options.SpanFileMaxBytes)));
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(A3cTelemetry.MeterName, A3cTelemetry.PollyMeterName)
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation());
        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    private static bool IsHealthCheck(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal);
}

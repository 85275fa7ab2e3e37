using A3cGrpc.ServiceDefaults.Hosting;
using A3cGrpc.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace A3cGrpc.ServiceDefaults;

/// <summary>
/// What every A3cGrpc service process sets up the same way (the eShop <c>AddServiceDefaults()</c> /
/// <c>MapDefaultEndpoints()</c> pattern): quiet default log levels, OpenTelemetry, the parent-process watch,
/// validated options; for the gRPC services also Kestrel HTTP/2 only, gRPC health checks and server reflection.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Every service: default log levels (<see cref="AddDefaultLogLevels"/>), OpenTelemetry with
    /// <c>service.name</c> = <paramref name="serviceName"/> and <c>service.instance.id</c> = <paramref name="instanceId"/>
    /// (default: <c>host-pid</c>) recording spans of <paramref name="activitySource"/>, and the parent-process watch.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName, string activitySource, string? instanceId = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDefaultLogLevels();
        builder.AddA3cTelemetry(serviceName, instanceId ?? $"{Environment.MachineName}-{Environment.ProcessId}", activitySource);
        builder.AddParentProcessWatcher();
        return builder;
    }

    /// <summary>
    /// A gRPC service: <see cref="AddServiceDefaults"/>, Kestrel HTTP/2 only (<see cref="UseHttp2Only"/>), gRPC
    /// (with <paramref name="configureGrpc"/>), a gRPC health service whose status is the check
    /// <typeparamref name="THealthCheck"/>, and server reflection. Map them with <see cref="MapDefaultEndpoints"/>.
    /// </summary>
    public static WebApplicationBuilder AddGrpcServiceDefaults<THealthCheck>(
        this WebApplicationBuilder builder, string serviceName, string activitySource, string healthCheckName, Action<Grpc.AspNetCore.Server.GrpcServiceOptions>? configureGrpc = null)
        where THealthCheck : class, IHealthCheck
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults(serviceName, activitySource);
        builder.UseHttp2Only();
        builder.Services.AddGrpc(options => configureGrpc?.Invoke(options));
        builder.Services.AddGrpcHealthChecks().AddCheck<THealthCheck>(healthCheckName);
        builder.Services.AddGrpcReflection();
        return builder;
    }

    /// <summary>Maps the gRPC health service and server reflection.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to configuration section <paramref name="sectionName"/> and validates it
    /// (DataAnnotations and <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules) when the host
    /// starts, so bad configuration stops the process with a message naming every problem.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddOptions<TOptions>().BindConfiguration(sectionName).ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>
    /// Quiet request logging by default (a request log line per push would cost more than the push): ASP.NET Core and
    /// gRPC at Warning, ours at Information. Added as the lowest-priority configuration, so <c>Logging:LogLevel:*</c>
    /// from appsettings, the environment or the command line still wins.
    /// </summary>
    public static IHostApplicationBuilder AddDefaultLogLevels(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Grpc"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            },
        });
        return builder;
    }

    /// <summary>Kestrel speaks HTTP/2 only (h2c without TLS), with flow-control windows that fit a full push in flight.</summary>
    public static WebApplicationBuilder UseHttp2Only(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.InitialConnectionWindowSize = 4 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 1 << 20;
        });
        return builder;
    }
}

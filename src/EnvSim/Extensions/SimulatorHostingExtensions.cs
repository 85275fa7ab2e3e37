using A3cGrpc.Distributed.Hosting;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Distributed.Telemetry;
using A3cGrpc.EnvSim.Hosting;
using A3cGrpc.EnvSim.Services;
using A3cGrpc.EnvSim.Sessions;
using A3cGrpc.EnvSim.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace A3cGrpc.EnvSim.Extensions;

/// <summary>The simulator process's wiring: what <c>Program.cs</c> composes.</summary>
public static class SimulatorHostingExtensions
{
    /// <summary>
    /// Adds the <c>Simulator</c> gRPC service with its options (validated at start-up), session limit and telemetry,
    /// gRPC health checks (SERVING once the native simulation works) and reflection, HTTP/2-only (h2c) endpoints, and the parent-process watch.
    /// </summary>
    public static WebApplicationBuilder AddSimulator(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = HttpProtocols.Http2));

        builder.Services.AddOptions<SimulatorOptions>()
            .Bind(builder.Configuration.GetSection(SimulatorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks().AddCheck<NativeSimulationHealthCheck>(NativeSimulationHealthCheck.Name);
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<SessionLimiter>();
        builder.Services.AddSingleton<SimulatorTelemetry>();
        builder.AddParentProcessWatcher();

        builder.AddA3cTelemetry(
            SimulatorTelemetry.ServiceName, $"{Environment.MachineName}-{Environment.ProcessId}", A3cTelemetry.SimulatorSourceName);
        return builder;
    }

    /// <summary>Maps the <c>Simulator</c> service, the gRPC health service and server reflection.</summary>
    public static WebApplication MapSimulator(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<SimulatorService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}

using A3cGrpc.EnvSim.Hosting;
using A3cGrpc.EnvSim.Options;
using A3cGrpc.EnvSim.Services;
using A3cGrpc.EnvSim.Sessions;
using A3cGrpc.EnvSim.Telemetry;
using A3cGrpc.ServiceDefaults;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.EnvSim.Extensions;

/// <summary>The simulator process's wiring: what <c>Program.cs</c> composes.</summary>
public static class SimulatorHostingExtensions
{
    /// <summary>
    /// Adds the service defaults (HTTP/2-only Kestrel, telemetry, the parent-process watch, gRPC health (SERVING once
    /// the native simulation works) and reflection), then the <c>Simulator</c> gRPC service's options (validated at
    /// start-up), session limit and telemetry.
    /// </summary>
    public static WebApplicationBuilder AddSimulator(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddGrpcServiceDefaults<NativeSimulationHealthCheck>(
            SimulatorTelemetry.ServiceName, A3cTelemetry.SimulatorSourceName, NativeSimulationHealthCheck.Name);
        builder.AddValidatedOptions<SimulatorOptions>(SimulatorOptions.SectionName);
        builder.Services.AddSingleton<SessionLimiter>();
        builder.Services.AddSingleton<SimulatorTelemetry>();
        return builder;
    }

    /// <summary>Maps the <c>Simulator</c> service, the gRPC health service and server reflection.</summary>
    public static WebApplication MapSimulator(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<SimulatorService>();
        app.MapDefaultEndpoints();
        return app;
    }
}

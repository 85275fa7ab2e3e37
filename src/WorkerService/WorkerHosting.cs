using A3cGrpc.Distributed.Options;
using A3cGrpc.ServiceDefaults;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.WorkerService;

/// <summary>The worker process's wiring: what <c>Program.cs</c> composes.</summary>
internal static class WorkerHosting
{
    /// <summary>OpenTelemetry <c>service.name</c>.</summary>
    public const string ServiceName = "a3c-worker";

    /// <summary>
    /// Adds the service defaults (telemetry with the worker id as <c>service.instance.id</c>, the parent-process
    /// watch), the validated <c>Worker</c> options, the resilience pipeline to the parameter server, the simulator
    /// connection, metrics and the worker loop.
    /// </summary>
    public static HostApplicationBuilder AddWorker(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddValidatedOptions<WorkerOptions>(WorkerOptions.SectionName);
        var workerId = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>()?.EffectiveWorkerId
            ?? new WorkerOptions().EffectiveWorkerId;
        builder.AddServiceDefaults(ServiceName, A3cTelemetry.WorkerSourceName, workerId);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.Services.AddParameterServerResilience();

        // Polly logs every call at Information with its result (pulled weights are 541 KB of JSON): keep its warnings
        // only; its meter still counts every attempt.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Services.AddSingleton<IParameterServer, ParameterServerClient>();
        builder.Services.AddSingleton<ISimulatorConnection, SimulatorConnection>();
        builder.Services.AddSingleton(sp => new WorkerMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), workerId));
        builder.Services.AddHostedService<A3cWorker>();
        return builder;
    }
}

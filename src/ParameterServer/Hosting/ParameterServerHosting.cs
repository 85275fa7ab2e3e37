using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Acting;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Monitoring;
using A3cGrpc.ParameterServer.Runs;
using A3cGrpc.ParameterServer.Services;
using A3cGrpc.ParameterServer.Telemetry;
using A3cGrpc.ServiceDefaults;
using A3cGrpc.ServiceDefaults.Telemetry;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace A3cGrpc.ParameterServer.Hosting;

/// <summary>The parameter server's wiring: options, Kestrel, telemetry, the run's parts, and the gRPC endpoints.</summary>
public static class ParameterServerHosting
{
    /// <summary>OpenTelemetry <c>service.name</c>.</summary>
    public const string ServiceName = "a3c-parameter-server";

    /// <summary>The name of the readiness check behind the gRPC health service.</summary>
    public const string HealthCheckName = "training";

    /// <summary>Adds everything the parameter server needs.</summary>
    public static WebApplicationBuilder AddParameterServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        TorchRuntime.Initialize(1);
        builder.AddGrpcServiceDefaults<TrainingReadyCheck>(
            ServiceName, A3cTelemetry.ServerSourceName, HealthCheckName, grpc => grpc.Interceptors.Add<ErrorInterceptor>());
        builder.Services.AddSingleton<IConfigureOptions<GrpcServiceOptions>, GrpcMessageLimit>();
        builder.AddParameterServerOptions();
        builder.Services.AddTrainingRun();
        return builder;
    }

    /// <summary>Maps the gRPC services, health and reflection.</summary>
    public static WebApplication MapParameterServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<CallAdmission>();
        app.RequireListeningOnPolicyPort();
        app.MapGrpcService<ParameterStoreService>();
        app.MapGrpcService<PolicyService>();
        app.MapGrpcService<TrainingStatusService>();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>
    /// With <c>ParameterServer:PolicyPort</c> set, the server must listen on it: once started, a server whose addresses
    /// do not include that port logs why and stops with exit code 1 (a policy port nobody can reach is a configuration
    /// error, not something to run without).
    /// </summary>
    private static void RequireListeningOnPolicyPort(this WebApplication app)
    {
        var port = app.Services.GetRequiredService<IOptions<ParameterServerOptions>>().Value.PolicyPort;
        if (port == 0)
        {
            return;
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // A server without addresses listens on no network (the in-process test server): nothing to check.
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (addresses.Count > 0 && !addresses.Any(address => BindingAddress.Parse(address).Port == port))
            {
                var listening = string.Join(", ", addresses);
                ServerLog.PolicyPortNotListening(app.Logger, port, listening);
                Environment.ExitCode = 1;
                app.Lifetime.StopApplication();
            }
        });
    }

    /// <summary>
    /// Binds sections <c>ParameterServer</c>, <c>A3c</c> (over its preset) and <c>Evaluation</c> and validates them (DataAnnotations and
    /// their cross-field rules) when the host starts, so bad configuration stops the process with a clear message.
    /// </summary>
    public static WebApplicationBuilder AddParameterServerOptions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddValidatedOptions<ParameterServerOptions>(ParameterServerOptions.SectionName);
        builder.Services.AddSingleton<IValidateOptions<ParameterServerOptions>, RunFileLimits>();
        // The preset named by A3c:Preset (the default preset when unset), then every other A3c key over it.
        builder.Services.AddOptions<A3cHyperparameters>()
            .Configure<IConfiguration>((options, configuration) =>
                HyperparameterConfiguration.Bind(configuration.GetSection(A3cHyperparameters.SectionName), options))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.AddValidatedOptions<EvaluationOptions>(EvaluationOptions.SectionName);
        return builder;
    }

    /// <summary>The run's parts, as singletons; the model is loaded or resumed when the hosted services are built.</summary>
    public static IServiceCollection AddTrainingRun(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RunSetup>();
        services.AddSingleton(provider => LoadedRun.Load(
            provider.GetRequiredService<RunSetup>(), provider.GetRequiredService<ILogger<LoadedRun>>()));
        services.AddSingleton(provider => new TrainingClock(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<LoadedRun>().ElapsedSeconds));
        services.AddSingleton<BestPolicyKeeper>();
        services.AddSingleton<RunRecorder>();
        services.AddSingleton<EvaluationSchedule>();
        services.AddSingleton<GlobalModel>();
        services.AddSingleton<PolicySnapshots>();
        services.AddSingleton<CheckpointWriter>();
        services.AddSingleton<TrainingMonitor>();
        services.AddSingleton<StatusEvents>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<LivePolicy>();
        services.AddSingleton<PinnedPolicies>();

        // Registered in this order so that they stop in the reverse one: the evaluator first, then the supervisor,
        // which writes the final checkpoint. The web server itself stops before both.
        services.AddSingleton<TrainingSupervisor>();
        services.AddHostedService(provider => provider.GetRequiredService<TrainingSupervisor>());
        services.AddHostedService<EvaluationService>();
        return services;
    }
}

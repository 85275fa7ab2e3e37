// The A3C worker: pulls weights from the parameter server, steps K environments of its own EnvSim process, pushes
// gradients. Configuration: section "Worker" (WorkerOptions); the learning settings come from the server.
using A3cGrpc.Distributed.Hosting;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Distributed.Telemetry;
using A3cGrpc.Learning;
using A3cGrpc.WorkerService;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOptions<WorkerOptions>()
    .Bind(builder.Configuration.GetSection(WorkerOptions.SectionName))
    .ValidateDataAnnotations()
    .ValidateOnStart();
var workerId = builder.Configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>()?.EffectiveWorkerId
    ?? new WorkerOptions().EffectiveWorkerId;

builder.AddA3cTelemetry("a3c-worker", workerId, A3cTelemetry.WorkerSourceName);
builder.AddParentProcessWatcher();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
builder.Services.AddParameterServerResilience();

// Polly logs every call at Information with its result (pulled weights are 541 KB of JSON): keep its warnings only;
// its meter still counts every attempt.
builder.Logging.AddFilter("Polly", LogLevel.Warning);
builder.Services.AddSingleton<ParameterServerClient>();
builder.Services.AddSingleton<SimulatorConnection>();
builder.Services.AddSingleton(sp => new WorkerMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), workerId));
builder.Services.AddHostedService<A3cWorker>();

TorchRuntime.Initialize(threads: 1);
using var host = builder.Build();
await host.RunAsync();

// The A3C worker: pulls weights from the parameter server, steps K environments of its own EnvSim process, pushes
// gradients. Configuration: section "Worker" (WorkerOptions); the learning settings come from the server.
using A3cGrpc.Learning;
using A3cGrpc.WorkerService;

var builder = Host.CreateApplicationBuilder(args);
builder.AddWorker();

TorchRuntime.Initialize(threads: 1);
using var host = builder.Build();
await host.RunAsync();

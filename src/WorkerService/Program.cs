// The A3C worker host. In this first stage it composes an empty generic host; the rollout loop against
// its own EnvSim process and the parameter-server client arrive with the distributed system (issue 3).
var builder = Host.CreateApplicationBuilder(args);
using var host = builder.Build();
await host.RunAsync();

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace A3cGrpc.WorkerService.Tests;

/// <summary>The worker's wiring (<see cref="WorkerHosting.AddWorker"/>).</summary>
public sealed class WorkerHostingTests
{
    [Fact]
    public void AddWorker_BindsTheLoopsInterfacesToTheSingleClients()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Worker:WorkerId"] = "worker-hosting",
            ["Worker:PushToken"] = "a-push-token-of-16+-chars",
            ["Worker:EnvSimAddress"] = "http://127.0.0.1:1",
        });
        builder.AddWorker();
        using var host = builder.Build();
        var services = host.Services;

        Assert.Same(services.GetRequiredService<ParameterServerClient>(), services.GetRequiredService<IParameterServer>());
        Assert.Same(services.GetRequiredService<SimulatorConnection>(), services.GetRequiredService<ISimulatorConnection>());
        Assert.Single(services.GetServices<IHostedService>().OfType<A3cWorker>());
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace A3cGrpc.WorkerService.Tests;

/// <summary>The worker's wiring (<see cref="WorkerHosting.AddWorker"/>).</summary>
public sealed class WorkerHostingTests
{
    [Fact]
    public void AddWorker_BindsTheLoopsInterfacesToTheRealClients_Once()
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

        Assert.IsType<ParameterServerClient>(services.GetRequiredService<IParameterServer>());
        Assert.IsType<SimulatorConnection>(services.GetRequiredService<ISimulatorConnection>());
        Assert.Same(services.GetRequiredService<IParameterServer>(), services.GetRequiredService<IParameterServer>());
        Assert.Single(services.GetServices<IHostedService>().OfType<A3cWorker>());
    }
}

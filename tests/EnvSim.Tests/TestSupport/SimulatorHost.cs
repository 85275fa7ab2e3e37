using A3cGrpc.Contracts.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;

namespace A3cGrpc.EnvSim.Tests.TestSupport;

/// <summary>
/// The real EnvSim app in a test server (WebApplicationFactory), with <c>Simulator</c> settings of the test's choice
/// and gRPC clients over the server's in-memory handler.
/// </summary>
public sealed class SimulatorHost : IDisposable
{
    /// <summary>Hang guard of every test call: generous, never a timing assertion.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private readonly WebApplicationFactory<Program> _factory;
    private readonly GrpcChannel _channel;

    public SimulatorHost(int maxEnvironments = 64, int maxSessions = 4)
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseSetting("Simulator:MaxEnvironments", maxEnvironments.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .UseSetting("Simulator:MaxSessions", maxSessions.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _factory.Server.CreateHandler() });
        Client = new Simulator.SimulatorClient(_channel);
    }

    public Simulator.SimulatorClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    public GrpcChannel Channel => _channel;

    public void Dispose()
    {
        _channel.Dispose();
        _factory.Dispose();
    }
}

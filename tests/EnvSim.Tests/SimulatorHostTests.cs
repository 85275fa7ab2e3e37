using A3cGrpc.Contracts.V1;
using A3cGrpc.EnvSim.Tests.TestSupport;
using A3cGrpc.Simulation;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>The app's endpoints besides sessions: Describe, gRPC health, server reflection.</summary>
public sealed class SimulatorHostTests : IDisposable
{
    private readonly SimulatorHost _host = new(maxEnvironments: 48);
    private readonly CancellationTokenSource _cancellation = new(SimulatorHost.HangGuard);

    [Fact]
    public async Task Describe_Always_DescribesTheSwingUpEnvironmentAndTheConfiguredLimit()
    {
        var description = await _host.Client.DescribeAsync(new DescribeSimulatorRequest(), cancellationToken: _cancellation.Token);

        Assert.Equal("InvertedPendulumSwingupBulletEnv-v0", description.EnvironmentId);
        Assert.Equal(SwingUpConstants.ObservationSize, description.ObservationSize);
        Assert.Equal(SwingUpConstants.ActionSize, description.ActionSize);
        Assert.Equal(-1f, description.ActionLow);
        Assert.Equal(1f, description.ActionHigh);
        Assert.Equal(SwingUpConstants.MaxEpisodeSteps, description.MaxEpisodeSteps);
        Assert.Equal(48, description.MaxEnvironments);
    }

    [Fact]
    public async Task HealthCheck_Started_IsServing()
    {
        var health = new Health.HealthClient(_host.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: _cancellation.Token);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesTheSimulator()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_host.Channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: _cancellation.Token);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty }, _cancellation.Token);
        Assert.True(await call.ResponseStream.MoveNext(_cancellation.Token));
        await call.RequestStream.CompleteAsync();

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("a3c.v1.Simulator", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _host.Dispose();
    }
}

using A3cGrpc.Distributed;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Grpc.Core;
using Grpc.Health.V1;

namespace A3cGrpc.EndToEndTests;

/// <summary>A Testcontainers readiness check: the container's gRPC health service answers SERVING on a mapped port.</summary>
internal sealed class GrpcServing(int containerPort) : IWaitUntil
{
    public async Task<bool> UntilAsync(IContainer container)
    {
        using var channel = GrpcAddress.CreateChannel($"http://{container.Hostname}:{container.GetMappedPublicPort(containerPort)}");
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false;
        }
    }
}

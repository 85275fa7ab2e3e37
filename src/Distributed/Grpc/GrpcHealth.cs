using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace A3cGrpc.Distributed;

/// <summary>Waiting for a service's standard gRPC health check to answer SERVING.</summary>
public static class GrpcHealth
{
    /// <summary>
    /// Polls <c>grpc.health.v1.Health/Check</c> on <paramref name="channel"/> until it answers SERVING.
    /// </summary>
    /// <param name="channel">The service.</param>
    /// <param name="hasExited">Tells whether the service's process has died (then waiting stops at once).</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <param name="what">The service's name, for messages.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="InvalidOperationException">The process exited first.</exception>
    /// <exception cref="TimeoutException">Not serving within <paramref name="timeout"/>.</exception>
    public static async Task WaitUntilServingAsync(GrpcChannel channel, Func<bool> hasExited, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(hasExited);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (hasExited())
            {
                throw new InvalidOperationException($"The {what} exited while starting.");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The {what} did not become ready within {timeout.TotalSeconds:F0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}

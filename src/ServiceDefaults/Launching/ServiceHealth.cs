using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>Waiting for a service's standard gRPC health check (<c>grpc.health.v1.Health/Check</c>) to answer SERVING.</summary>
public static class ServiceHealth
{
    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan _callTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Polls the health service on <paramref name="channel"/> every 100 ms until it answers SERVING. With
    /// <paramref name="process"/> (the service's own process), waiting stops at once if it exits, and both failures
    /// carry its last output.
    /// </summary>
    /// <param name="channel">The service.</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <param name="process">The service's process when this process started it; null for one started elsewhere (a sidecar).</param>
    /// <param name="what">The service's name, for messages.</param>
    /// <param name="cancellationToken">Stops waiting (<see cref="OperationCanceledException"/>).</param>
    /// <exception cref="InvalidOperationException">The process exited first.</exception>
    /// <exception cref="TimeoutException">Not serving within <paramref name="timeout"/>.</exception>
    public static async Task WaitUntilServingAsync(
        GrpcChannel channel, TimeSpan timeout, ServiceProcess? process, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process is { HasExited: true })
            {
                await process.StopAsync(TimeSpan.Zero); // drains forwarded output
                throw new InvalidOperationException(
                    $"The {what} (process {process.ProcessId}) exited with code {process.ExitCode} before serving.{LastOutput(process)}");
            }

            if (await IsServingAsync(health, cancellationToken))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The {what} did not serve within {timeout.TotalSeconds:0.###} s.{LastOutput(process)}");
            }

            await Task.Delay(_pollInterval, cancellationToken);
        }
    }

    private static async Task<bool> IsServingAsync(Health.HealthClient health, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + _callTimeout, cancellationToken: cancellationToken);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested && e.StatusCode is not StatusCode.Cancelled)
        {
            return false; // not listening yet, or starting
        }
    }

    private static string LastOutput(ServiceProcess? process) =>
        process is null ? "" : $" Its last output:{Environment.NewLine}{process.OutputTail()}";
}

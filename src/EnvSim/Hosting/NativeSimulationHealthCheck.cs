using A3cGrpc.Simulation;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace A3cGrpc.EnvSim.Hosting;

/// <summary>
/// Healthy once the native Bullet shim has loaded and stepped one environment (checked on the first health check and
/// then remembered); unhealthy, with the reason, if it cannot, so the gRPC health service says NOT_SERVING.
/// </summary>
public sealed class NativeSimulationHealthCheck : IHealthCheck
{
    /// <summary>The check's registration name.</summary>
    public const string Name = "bullet";

    private readonly Lazy<HealthCheckResult> _result = new(Probe);

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_result.Value);

    private static HealthCheckResult Probe()
    {
        try
        {
            using var environment = new VectorSwingUpEnv(1, baseSeed: 0);
            environment.ResetAll();
            environment.Step([0.0], new double[1], new bool[1]);
            return HealthCheckResult.Healthy("The native Bullet shim steps environments.");
        }
        catch (Exception e) when (e is BulletException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return HealthCheckResult.Unhealthy($"The native Bullet shim does not work: {e.Message}", e);
        }
    }
}

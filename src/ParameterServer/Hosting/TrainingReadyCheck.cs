using A3cGrpc.ParameterServer.Runs;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace A3cGrpc.ParameterServer.Hosting;

/// <summary>Healthy (gRPC SERVING) once the model is loaded or resumed and until the server begins to stop.</summary>
public sealed class TrainingReadyCheck(TrainingSupervisor supervisor) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(supervisor.IsServing
            ? HealthCheckResult.Healthy("The model is loaded.")
            : HealthCheckResult.Unhealthy("The model is loading or the server is stopping."));
}

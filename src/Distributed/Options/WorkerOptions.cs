using System.ComponentModel.DataAnnotations;
using A3cGrpc.ServiceDefaults;

namespace A3cGrpc.Distributed.Options;

/// <summary>A worker's options (section <see cref="SectionName"/>).</summary>
public sealed class WorkerOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Worker";

    /// <summary>This worker's id in pushes, traces and metrics; empty means "host name + process id".</summary>
    public string WorkerId { get; set; } = string.Empty;

    /// <summary>The parameter server: <c>http://host:port</c> or <c>unix:/path/to.sock</c>.</summary>
    [Required]
    public string ParameterServerAddress { get; set; } = $"http://127.0.0.1:{ServicePorts.ParameterServer}";

    /// <summary>The bearer token pushes carry (the server's <c>ParameterServer:PushToken</c>).</summary>
    [Required]
    [MinLength(16)]
    public string PushToken { get; set; } = string.Empty;

    /// <summary>
    /// An EnvSim to connect to (a sidecar in a container deployment). Empty: the worker starts and owns its own
    /// EnvSim process from <see cref="EnvSimPath"/>, on a Unix socket, and replaces it if it dies.
    /// </summary>
    public string? EnvSimAddress { get; set; }

    /// <summary>The EnvSim program (<c>A3cGrpc.EnvSim.dll</c>, run with the same <c>dotnet</c>) when the worker starts its own.</summary>
    public string? EnvSimPath { get; set; }

    /// <summary>When set, the EnvSim the worker starts writes its spans to this JSON-lines file.</summary>
    public string? SimulatorSpanFile { get; set; }

    /// <summary>
    /// Environments the worker steps in lock step (one message per step carries all of them); unset: the server's
    /// hyper-parameters say (<c>A3c:Environments</c>, part of the preset), so every worker learns from the same batch.
    /// </summary>
    [Range(1, 4096)]
    public int? Environments { get; set; }

    /// <summary>
    /// Seed of this worker's environments and action sampling. Unset: derived from the worker id, so replicas that
    /// share one configuration (a Kubernetes Deployment) still explore differently.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Deadline of each call to the parameter server, in seconds.</summary>
    [Range(0.1, 600)]
    public double CallTimeoutSeconds { get; set; } = 10;

    /// <summary>Deadline of each simulator reply, in seconds.</summary>
    [Range(0.1, 600)]
    public double SimulatorTimeoutSeconds { get; set; } = 10;

    /// <summary>How long the worker keeps retrying an unreachable parameter server before it gives up and exits.</summary>
    [Range(1, 86_400)]
    public double MaxOutageSeconds { get; set; } = 300;

    /// <summary>Stop after this many updates (0: run until stopped).</summary>
    [Range(0, long.MaxValue)]
    public long MaxUpdates { get; set; }

    /// <summary>The id to use: <see cref="WorkerId"/> or "host-pid".</summary>
    public string EffectiveWorkerId => string.IsNullOrWhiteSpace(WorkerId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : WorkerId;

    /// <summary>The seed to use: <see cref="Seed"/>, or a stable hash (FNV-1a) of <see cref="EffectiveWorkerId"/>.</summary>
    public int EffectiveSeed => Seed ?? StableHash(EffectiveWorkerId);

    /// <summary>Throws <see cref="ValidationException"/> naming every invalid value.</summary>
    public void Validate() => OptionsValidation.Validate(this, SectionName);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(EnvSimAddress) && string.IsNullOrWhiteSpace(EnvSimPath))
        {
            yield return new ValidationResult("Set EnvSimAddress (an EnvSim to connect to) or EnvSimPath (an EnvSim to start).", [nameof(EnvSimAddress), nameof(EnvSimPath)]);
        }

        if (!GrpcAddress.IsValid(ParameterServerAddress))
        {
            yield return new ValidationResult($"ParameterServerAddress '{ParameterServerAddress}' is not http(s)://host:port or unix:/path.", [nameof(ParameterServerAddress)]);
        }

        if (!string.IsNullOrWhiteSpace(EnvSimAddress) && !GrpcAddress.IsValid(EnvSimAddress))
        {
            yield return new ValidationResult($"EnvSimAddress '{EnvSimAddress}' is not http(s)://host:port or unix:/path.", [nameof(EnvSimAddress)]);
        }
    }

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash & int.MaxValue);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.EnvSim.Telemetry;

/// <summary>
/// The simulator's one <see cref="System.Diagnostics.ActivitySource"/> (<see cref="A3cTelemetry.SimulatorSourceName"/>)
/// and its environment-step counter (<see cref="A3cTelemetry.Metrics.EnvironmentSteps"/> on
/// <see cref="A3cTelemetry.MeterName"/>, tagged <c>service</c> = <see cref="ServiceName"/>), created once per host.
/// </summary>
public sealed class SimulatorTelemetry : IDisposable
{
    /// <summary>OpenTelemetry <c>service.name</c> of the simulator, also the value of the counter's <c>service</c> tag.</summary>
    public const string ServiceName = "a3c-envsim";

    /// <summary>The tag that names the process kind on shared metrics.</summary>
    public const string ServiceTag = "service";

    private static readonly KeyValuePair<string, object?> _serviceTagValue = new(ServiceTag, ServiceName);

    private readonly Counter<long> _environmentSteps;

    /// <summary>Creates the source and, through <paramref name="meterFactory"/>, the meter and its counter.</summary>
    public SimulatorTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ActivitySource = new ActivitySource(A3cTelemetry.SimulatorSourceName);
        _environmentSteps = meterFactory.Create(A3cTelemetry.MeterName).CreateCounter<long>(
            A3cTelemetry.Metrics.EnvironmentSteps, unit: "{step}", description: "Environment steps taken (K per lock step).");
    }

    /// <summary>The source of <see cref="A3cTelemetry.SimulatorRolloutSpan"/> spans.</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>Counts <paramref name="environments"/> environment steps (one lock step of K environments).</summary>
    public void RecordEnvironmentSteps(int environments) => _environmentSteps.Add(environments, _serviceTagValue);

    /// <inheritdoc />
    public void Dispose() => ActivitySource.Dispose();
}

using System.Diagnostics.Metrics;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.WorkerService;

/// <summary>The worker's instruments (meter <see cref="A3cTelemetry.MeterName"/>).</summary>
internal sealed class WorkerMetrics
{
    private readonly KeyValuePair<string, object?> _worker;

    public WorkerMetrics(IMeterFactory meterFactory, string workerId)
    {
        var meter = meterFactory.Create(A3cTelemetry.MeterName);
        _worker = new(A3cTelemetry.Attributes.WorkerId, workerId);
        EnvironmentSteps = meter.CreateCounter<long>(A3cTelemetry.Metrics.EnvironmentSteps, "{step}", "Environment steps taken by the worker");
        Updates = meter.CreateCounter<long>(A3cTelemetry.Metrics.Updates, "{update}", "Updates pushed and applied");
        Staleness = meter.CreateHistogram<long>(A3cTelemetry.Metrics.Staleness, "{version}", "Versions applied between an update's base version and its push");
        PushDuration = meter.CreateHistogram<double>(A3cTelemetry.Metrics.PushDuration, "ms", "Push latency, retries included");
        PullDuration = meter.CreateHistogram<double>(A3cTelemetry.Metrics.PullDuration, "ms", "Pull latency, retries included");
        EpisodeReturn = meter.CreateHistogram<double>(A3cTelemetry.Metrics.EpisodeReturn, null, "Returns of finished training episodes");
    }

    public Counter<long> EnvironmentSteps { get; }

    public Counter<long> Updates { get; }

    public Histogram<long> Staleness { get; }

    public Histogram<double> PushDuration { get; }

    public Histogram<double> PullDuration { get; }

    public Histogram<double> EpisodeReturn { get; }

    /// <summary>The worker-id tag every measurement carries.</summary>
    public KeyValuePair<string, object?> Tag => _worker;
}

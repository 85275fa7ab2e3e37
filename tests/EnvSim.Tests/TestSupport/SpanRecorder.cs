using System.Collections.Concurrent;
using System.Diagnostics;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.EnvSim.Tests.TestSupport;

/// <summary>
/// Records the simulator's spans through an ActivityListener: those of one trace (other tests' spans are ignored), or
/// all of them when no trace is given (only the telemetry tests send trace contexts, one test at a time).
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly SemaphoreSlim _stops = new(0);

    public SpanRecorder(ActivityTraceId? traceId)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == A3cTelemetry.SimulatorSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                if (traceId is null || activity.TraceId == traceId)
                {
                    _started.Enqueue(activity);
                }
            },
            ActivityStopped = activity =>
            {
                if (traceId is null || activity.TraceId == traceId)
                {
                    _stopped.Enqueue(activity);
                    _stops.Release();
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Started => [.. _started];

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    /// <summary>Waits until <paramref name="count"/> spans of the trace have stopped in all (hang guard only).</summary>
    public async Task WaitForStopsAsync(int count)
    {
        while (_stopped.Count < count)
        {
            Assert.True(await _stops.WaitAsync(SimulatorHost.HangGuard), $"Only {_stopped.Count} of {count} spans stopped.");
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _stops.Dispose();
    }
}

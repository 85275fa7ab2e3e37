using A3cGrpc.ParameterServer.Model;

namespace A3cGrpc.ParameterServer.Monitoring;

/// <summary>One worker as the server sees it.</summary>
public sealed record WorkerActivity(string WorkerId, long PushesApplied, long EnvironmentSteps, double SecondsSinceLastPush, double MeanStaleness);

/// <summary>Rates and staleness over recent pushes.</summary>
/// <param name="EnvironmentStepsPerSecond">Over the last <see cref="TrainingMonitor.RateWindow"/>.</param>
/// <param name="UpdatesPerSecond">Over the last <see cref="TrainingMonitor.RateWindow"/>.</param>
/// <param name="MeanStaleness">Over the last <see cref="TrainingMonitor.StalenessWindow"/> applied pushes (0 before the first).</param>
/// <param name="MaxStalenessSeen">Over this session's applied pushes.</param>
/// <param name="Workers">Every worker that pushed in this session, by id.</param>
public sealed record ActivitySnapshot(
    double EnvironmentStepsPerSecond, double UpdatesPerSecond, double MeanStaleness, long MaxStalenessSeen, IReadOnlyList<WorkerActivity> Workers);

/// <summary>Watches applied pushes for the status service: rates over the last few seconds, staleness, workers. Thread-safe.</summary>
public sealed class TrainingMonitor(TimeProvider time)
{
    /// <summary>The window of the rates.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    /// <summary>Applied pushes in the mean staleness.</summary>
    public const int StalenessWindow = 100;

    private static readonly TimeSpan _sampleSpacing = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly Dictionary<string, WorkerState> _workers = new(StringComparer.Ordinal);
    private readonly Queue<long> _staleness = new();
    private readonly LinkedList<Sample> _samples = new();
    private long _stalenessSum;
    private long _maxStaleness;

    /// <summary>Records an applied push.</summary>
    public void RecordApplied(string workerId, long environmentSteps, long staleness, ModelTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_workers.TryGetValue(workerId, out var worker))
            {
                worker = new WorkerState();
                _workers.Add(workerId, worker);
            }

            worker.Pushes++;
            worker.EnvironmentSteps += environmentSteps;
            worker.StalenessSum += staleness;
            worker.LastPushAt = now;

            _staleness.Enqueue(staleness);
            _stalenessSum += staleness;
            if (_staleness.Count > StalenessWindow)
            {
                _stalenessSum -= _staleness.Dequeue();
            }

            _maxStaleness = Math.Max(_maxStaleness, staleness);
            SampleLocked(now, totals);
        }
    }

    /// <summary>Rates, staleness and workers now, given the current counters.</summary>
    public ActivitySnapshot Snapshot(ModelTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            SampleLocked(now, totals);
            double stepsRate = 0, updatesRate = 0;
            var oldest = _samples.First!.Value;
            var seconds = _time.GetElapsedTime(oldest.At, now).TotalSeconds;
            if (seconds > 0)
            {
                stepsRate = (totals.EnvironmentSteps - oldest.EnvironmentSteps) / seconds;
                updatesRate = (totals.Updates - oldest.Updates) / seconds;
            }

            var workers = _workers
                .OrderBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => new WorkerActivity(
                    w.Key, w.Value.Pushes, w.Value.EnvironmentSteps, _time.GetElapsedTime(w.Value.LastPushAt, now).TotalSeconds,
                    w.Value.Pushes == 0 ? 0 : (double)w.Value.StalenessSum / w.Value.Pushes))
                .ToList();
            var meanStaleness = _staleness.Count == 0 ? 0 : (double)_stalenessSum / _staleness.Count;
            return new ActivitySnapshot(stepsRate, updatesRate, meanStaleness, _maxStaleness, workers);
        }
    }

    /// <summary>Keeps samples of the counters at least <see cref="_sampleSpacing"/> apart, over about <see cref="RateWindow"/>.</summary>
    private void SampleLocked(long now, ModelTotals totals)
    {
        if (_samples.Last is null || _time.GetElapsedTime(_samples.Last.Value.At, now) >= _sampleSpacing)
        {
            _samples.AddLast(new Sample(now, totals.EnvironmentSteps, totals.Updates));
        }

        // Keep the newest sample that is at least a window old as the baseline, drop the ones before it.
        while (_samples.First!.Next is { } next && _time.GetElapsedTime(next.Value.At, now) >= RateWindow)
        {
            _samples.RemoveFirst();
        }
    }

    private readonly record struct Sample(long At, long EnvironmentSteps, long Updates);

    private sealed class WorkerState
    {
        public long Pushes { get; set; }

        public long EnvironmentSteps { get; set; }

        public long StalenessSum { get; set; }

        public long LastPushAt { get; set; }
    }
}

namespace A3cGrpc.ParameterServer.Model;

/// <summary>
/// Training time of the run: the time saved in the checkpoint plus the time this server has held the model. It
/// stops when training finishes, so a finished run reports (and saves) how long it trained.
/// </summary>
public sealed class TrainingClock(TimeProvider time, double offsetSeconds)
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly long _startedAt = (time ?? throw new ArgumentNullException(nameof(time))).GetTimestamp();
    private double? _frozenAt;

    /// <summary>Training seconds so far, over all sessions of the run.</summary>
    public double ElapsedSeconds
    {
        get
        {
            lock (_gate)
            {
                return _frozenAt ?? Running();
            }
        }
    }

    /// <summary>Seconds since this session started (keeps running after <see cref="Stop"/>).</summary>
    public double SessionSeconds => _time.GetElapsedTime(_startedAt).TotalSeconds;

    /// <summary>Stops the clock (idempotent).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _frozenAt ??= Running();
        }
    }

    private double Running() => offsetSeconds + _time.GetElapsedTime(_startedAt).TotalSeconds;
}

using System.Threading.Channels;
using A3cGrpc.Experiments.Evaluation;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// When the evaluator should wake: once pushed environment steps reach the next multiple of
/// <see cref="EvaluationOptions.EveryEnvSteps"/> and the pacing (<see cref="EvaluationOptions.MaxShare"/> of wall-clock
/// time) allows it, and when training finishes. Wake-ups coalesce (one pending at most).
/// </summary>
public sealed class EvaluationSchedule
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly long _every;
    private readonly Lock _pacingGate = new();
    private readonly EvaluationPacing _pacing;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private long _nextAt;

    /// <summary>A schedule for <paramref name="setup"/>'s evaluation protocol, continuing from <paramref name="run"/>'s step count.</summary>
    public EvaluationSchedule(RunSetup setup, LoadedRun run, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(run);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _origin = time.GetTimestamp();
        _every = setup.Evaluation.EveryEnvSteps;
        _pacing = new EvaluationPacing(setup.Evaluation);
        _nextAt = NextAfter(run.Totals.EnvironmentSteps);
    }

    /// <summary>Seconds since the schedule was made (the pacing's clock).</summary>
    public double Now => _time.GetElapsedTime(_origin).TotalSeconds;

    /// <summary>The environment-step count at which the next evaluation is due.</summary>
    public long NextAt => Interlocked.Read(ref _nextAt);

    /// <summary>Called after each applied push: wakes the evaluator when an evaluation is due.</summary>
    public void StepsAdvanced(long environmentSteps)
    {
        if (IsDue(environmentSteps))
        {
            Wake();
        }
    }

    /// <summary>Wakes the evaluator (for example because training finished).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Records an evaluation at <paramref name="environmentSteps"/>: the next is due one interval later.</summary>
    public void EvaluatedAt(long environmentSteps) => Interlocked.Exchange(ref _nextAt, NextAfter(environmentSteps));

    /// <summary>
    /// Records an evaluation at <paramref name="environmentSteps"/> that started at <paramref name="startedAt"/>
    /// (<see cref="Now"/>) and just ended: the next is due one step interval later, and not before the pacing allows.
    /// </summary>
    public void EvaluatedAt(long environmentSteps, double startedAt)
    {
        lock (_pacingGate)
        {
            _pacing.Evaluated(startedAt, Now - startedAt);
        }

        EvaluatedAt(environmentSteps);
    }

    /// <summary>True when pushed steps have reached the next evaluation and the pacing allows it now.</summary>
    public bool IsDue(long environmentSteps) => environmentSteps >= NextAt && PacingDelay() == TimeSpan.Zero;

    /// <summary>How long the pacing holds the next evaluation back from now (zero: not at all).</summary>
    public TimeSpan PacingDelay()
    {
        lock (_pacingGate)
        {
            return TimeSpan.FromSeconds(_pacing.WaitSeconds(Now));
        }
    }

    /// <summary>Waits for the next wake-up.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _wake.Reader.ReadAsync(cancellationToken);

    /// <summary>Waits for the next wake-up or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The pacing delay is over.
        }
    }

    private long NextAfter(long environmentSteps) => ((environmentSteps / _every) + 1) * _every;
}

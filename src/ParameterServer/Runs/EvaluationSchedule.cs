using System.Threading.Channels;
using A3cGrpc.Training.Evaluation;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// When the evaluator should wake: once pushed environment steps reach the next multiple of
/// <see cref="EvaluationOptions.EveryEnvSteps"/>, and when training finishes. Wake-ups coalesce (one pending at most).
/// </summary>
public sealed class EvaluationSchedule
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly long _every;
    private long _nextAt;

    /// <summary>A schedule for <paramref name="setup"/>'s evaluation protocol, continuing from <paramref name="run"/>'s step count.</summary>
    public EvaluationSchedule(RunSetup setup, LoadedRun run)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(run);
        _every = setup.Evaluation.EveryEnvSteps;
        _nextAt = NextAfter(run.Totals.EnvironmentSteps);
    }

    /// <summary>The environment-step count at which the next evaluation is due.</summary>
    public long NextAt => Interlocked.Read(ref _nextAt);

    /// <summary>Called after each applied push: wakes the evaluator when an evaluation is due.</summary>
    public void StepsAdvanced(long environmentSteps)
    {
        if (environmentSteps >= NextAt)
        {
            Wake();
        }
    }

    /// <summary>Wakes the evaluator (for example because training finished).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Records an evaluation at <paramref name="environmentSteps"/>: the next is due one interval later.</summary>
    public void EvaluatedAt(long environmentSteps) => Interlocked.Exchange(ref _nextAt, NextAfter(environmentSteps));

    /// <summary>True when pushed steps have reached the next evaluation.</summary>
    public bool IsDue(long environmentSteps) => environmentSteps >= NextAt;

    /// <summary>Waits for the next wake-up.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _wake.Reader.ReadAsync(cancellationToken);

    private long NextAfter(long environmentSteps) => ((environmentSteps / _every) + 1) * _every;
}

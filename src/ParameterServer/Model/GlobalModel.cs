using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Runs;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Model;

/// <summary>A validated push, its gradients already decoded into per-request buffers.</summary>
/// <param name="WorkerId">Who pushed.</param>
/// <param name="UpdateId">The push's idempotency key.</param>
/// <param name="BaseVersion">The version the gradients were computed on.</param>
/// <param name="Gradients">Gradients with the model's layout.</param>
/// <param name="EnvironmentSteps">Environment steps of the rollout.</param>
/// <param name="EpisodeReturns">Returns of the episodes that ended in the rollout.</param>
/// <param name="ReturnWeights">Whether the answer carries the new weights.</param>
/// <param name="Observed">Statistics of the observations the update learned from (when the model normalises them).</param>
public sealed record PushCommand(
    string WorkerId,
    string UpdateId,
    long BaseVersion,
    NamedTensors Gradients,
    long EnvironmentSteps,
    IReadOnlyList<double> EpisodeReturns,
    bool ReturnWeights,
    ObservationStatistics? Observed = null)
{
    /// <summary>The global L2 norm of <see cref="Gradients"/> (in double precision, so huge float32 values do not overflow it).</summary>
    public double GradientNorm { get; } = (Gradients ?? throw new ArgumentNullException(nameof(Gradients))).L2Norm();
}

/// <summary>How a push ended.</summary>
public enum PushResult
{
    /// <summary>One optimiser step was taken.</summary>
    Applied,

    /// <summary>The update id had been applied before; nothing was applied.</summary>
    Duplicate,

    /// <summary>The server is shutting down.</summary>
    ShuttingDown,

    /// <summary>Training has finished (a budget was reached or the policy solved the task).</summary>
    Finished,

    /// <summary>The base version is newer than the current one (the server restarted from an older checkpoint).</summary>
    UnknownVersion,

    /// <summary>The base version is more than the maximum staleness behind.</summary>
    TooStale,

    /// <summary>
    /// The update would have poisoned the model: its gradient's norm is beyond <c>ParameterServer:MaxPushGradientNorm</c>
    /// (or not finite), its observation statistics do not merge into finite ones, or the optimiser step's result was
    /// not finite (the step was undone). Nothing was applied.
    /// </summary>
    Unsafe,

    /// <summary>A run counter would overflow; nothing was applied.</summary>
    CounterOverflow,
}

/// <summary>The outcome of <see cref="GlobalModel.Push"/>.</summary>
/// <param name="Result">What happened.</param>
/// <param name="Version">Applied: the new version; duplicate: the version the update produced; refused: the current version.</param>
/// <param name="Staleness">Versions between the base version and the push (for a duplicate: as first applied).</param>
/// <param name="Totals">The counters after the push.</param>
/// <param name="Weights">The weights of the new version, when asked for and applied.</param>
/// <param name="Message">Why a push was refused.</param>
public sealed record PushOutcome(PushResult Result, long Version, long Staleness, ModelTotals Totals, WeightsSnapshot? Weights, string? Message);

/// <summary>
/// The parameter server's global actor-critic: one <see cref="GlobalLearner"/> (model and shared Adam) and everything a
/// push changes together, under one lock: the version, the counters, the idempotency ledger, the training episodes
/// written to metrics.csv, and whether training has finished. Weights leave it only as complete per-version
/// <see cref="WeightsSnapshot"/>s copied under the lock, so nobody ever sees a mix of two versions. Which pushes are
/// applied is <see cref="PushAdmission"/>'s decision; applying one is <see cref="GradientApplier"/>'s step.
/// </summary>
public sealed class GlobalModel : IDisposable
{
    private readonly Lock _gate = new();
    private readonly GlobalLearner _learner;
    private readonly PushAdmission _admission;
    private readonly GradientApplier _applier;
    private readonly RunRecorder _recorder;
    private readonly EvaluationSchedule _schedule;
    private readonly TrainingClock _clock;
    private readonly ILogger<GlobalModel> _logger;
    private ModelTotals _totals;
    private WeightsSnapshot? _snapshot;
    private string? _finishedReason;
    private bool _closed;
    private bool _disposed;

    /// <summary>Takes over <paramref name="run"/>'s learner and counters.</summary>
    public GlobalModel(
        LoadedRun run, RunSetup setup, RunRecorder recorder, EvaluationSchedule schedule, TrainingClock clock, ILogger<GlobalModel> logger)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(setup);
        _recorder = recorder ?? throw new ArgumentNullException(nameof(recorder));
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _learner = run.Learner;
        _totals = run.Totals;
        _admission = new PushAdmission(
            setup.Server, run.State.Ledger, run.Totals.Version, run.State.RefusedStalePushes, run.State.RefusedUnsafePushes);
        _applier = new GradientApplier(_learner, logger);
        var initial = _learner.ExportParameters();
        Layout = new ModelLayout(initial);
        _snapshot = new WeightsSnapshot(_totals, initial, _learner.Model.ObservationStatistics);
    }

    /// <summary>Names, shapes and sizes of the parameters.</summary>
    public ModelLayout Layout { get; }

    /// <summary>The hyper-parameters of the global learner.</summary>
    public A3cHyperparameters Hyperparameters => _learner.Hyperparameters;

    /// <summary>The counters of the current version (read without the lock).</summary>
    public ModelTotals Totals => Volatile.Read(ref _totals);

    /// <summary>The current version.</summary>
    public long Version => Totals.Version;

    /// <summary>Why training finished, or null while it goes on.</summary>
    public string? FinishedReason => Volatile.Read(ref _finishedReason);

    /// <summary>Pushes refused because they were too stale, over the whole run.</summary>
    public long RefusedStalePushes => _admission.RefusedStalePushes;

    /// <summary>Pushes refused because they would have poisoned the model (<see cref="PushResult.Unsafe"/>), over the whole run.</summary>
    public long RefusedUnsafePushes => _admission.RefusedUnsafePushes;

    /// <summary>
    /// Applies one push: a retried update id is answered as a duplicate; a push after training finished, on an unknown
    /// version, too stale, or unsafe (a gradient norm beyond the server's bound, statistics or a step that would not be
    /// finite) is refused; otherwise one Adam step is taken and the version grows by one. Nothing is applied unless the
    /// result is <see cref="PushResult.Applied"/>.
    /// </summary>
    public PushOutcome Push(PushCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_admission.CheckGradientNorm(command, Totals) is { } unsafeNorm)
        {
            return unsafeNorm;
        }

        Admission admission;
        WeightsSnapshot? weights = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _totals;
            CheckBudgetsLocked();
            admission = _admission.Admit(command, current, _closed, _finishedReason);
            if (admission.Refusal is { } refusal)
            {
                return refusal;
            }

            if (_applier.TryApply(command, current.EnvironmentSteps) is { } unsafeStep)
            {
                return _admission.RefuseUnsafe(current, unsafeStep);
            }

            var totals = admission.Next;
            Volatile.Write(ref _totals, totals);
            _admission.Remember(command, totals.Version, admission.Staleness);
            if (command.EpisodeReturns.Count > 0)
            {
                _recorder.RecordEpisodes(command.EpisodeReturns, current.Episodes + 1, totals.EnvironmentSteps, _clock.ElapsedSeconds);
            }

            CheckBudgetsLocked();
            if (command.ReturnWeights)
            {
                weights = SnapshotLocked();
            }
        }

        var applied = admission.Next;
        _schedule.StepsAdvanced(applied.EnvironmentSteps);
        return new PushOutcome(PushResult.Applied, applied.Version, admission.Staleness, applied, weights, null);
    }

    /// <summary>The complete weights of the current version (copied once per version, under the lock).</summary>
    public WeightsSnapshot CurrentWeights()
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null && snapshot.Version == Version)
        {
            return snapshot;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return SnapshotLocked();
        }
    }

    /// <summary>Finishes training for <paramref name="reason"/> (first reason wins); later pushes are refused.</summary>
    /// <returns>True when this call finished training.</returns>
    public bool Finish(string reason)
    {
        lock (_gate)
        {
            return FinishLocked(reason);
        }
    }

    /// <summary>Finishes training when the step or time budget is used up.</summary>
    public void CheckBudgets()
    {
        lock (_gate)
        {
            CheckBudgetsLocked();
        }
    }

    /// <summary>
    /// Writes a checkpoint of the current version to <paramref name="path"/>: weights, Adam state, counters and the
    /// server's state (ledger, evaluation versions, refused count), all of one moment.
    /// </summary>
    /// <returns>The counters saved.</returns>
    public TrainingCounters SaveCheckpoint(string path)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var counters = new TrainingCounters
            {
                EnvironmentSteps = _totals.EnvironmentSteps,
                Updates = _totals.Updates,
                Episodes = _totals.Episodes,
                ModelVersion = _totals.Version,
                ElapsedSeconds = _clock.ElapsedSeconds,
            };
            var state = new ServerCheckpointState(
                ServerCheckpointState.CurrentFormat, _admission.ExportLedger(), _recorder.EvaluationVersions(),
                _admission.RefusedStalePushes, _admission.RefusedUnsafePushes);
            _learner.SaveCheckpoint(path, counters, state.ToJson());
            return counters;
        }
    }

    /// <summary>Refuses all further pushes (the server is stopping and has written its final checkpoint).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _closed = true;
            _learner.Dispose();
        }
    }

    private WeightsSnapshot SnapshotLocked()
    {
        if (_snapshot is null || _snapshot.Version != _totals.Version)
        {
            Volatile.Write(ref _snapshot, new WeightsSnapshot(_totals, _learner.ExportParameters(), _learner.Model.ObservationStatistics));
        }

        return _snapshot!;
    }

    private void CheckBudgetsLocked()
    {
        if (_finishedReason is null && _admission.ExhaustedBudget(_totals, _clock.ElapsedSeconds) is { } budget)
        {
            FinishLocked(budget);
        }
    }

    private bool FinishLocked(string reason)
    {
        if (_finishedReason is not null)
        {
            return false;
        }

        _clock.Stop();
        Volatile.Write(ref _finishedReason, reason);
        ServerLog.Finished(_logger, reason, _totals.Version, _totals.EnvironmentSteps, _totals.Updates, _clock.ElapsedSeconds);
        _schedule.Wake();
        return true;
    }
}

/// <summary>The reasons training finishes (<c>Progress.finished_reason</c>).</summary>
public static class FinishReasons
{
    /// <summary>An evaluation reached the solve threshold and <c>StopWhenSolved</c> is on.</summary>
    public const string Solved = "solved";

    /// <summary><c>StopAtEnvironmentSteps</c> was reached.</summary>
    public const string StepBudget = "step budget";

    /// <summary><c>StopAtElapsedSeconds</c> was reached.</summary>
    public const string TimeBudget = "time budget";

    /// <summary>The summary's stop reason while training goes on.</summary>
    public const string Running = "running";

    /// <summary>The summary's stop reason when the server stopped before training finished.</summary>
    public const string ServerStopped = "server stopped";
}

using A3cGrpc.Distributed.Options;

namespace A3cGrpc.ParameterServer.Model;

/// <summary>What <see cref="PushAdmission.Admit"/> decided: a refusal, or the counters and staleness the push will have.</summary>
/// <param name="Refusal">Why the push is not applied (a duplicate's answer too), or null when it is admitted.</param>
/// <param name="Next">Admitted: the counters after the push.</param>
/// <param name="Staleness">Admitted: versions between the push's base version and the current one.</param>
public readonly record struct Admission(PushOutcome? Refusal, ModelTotals Next, long Staleness)
{
    /// <summary>The push may be applied.</summary>
    public bool Admitted => Refusal is null;
}

/// <summary>
/// Which pushes the global model applies: the gradient-norm bound, the idempotency ledger (a retried update id is
/// answered as a duplicate), shutdown, the finished state and the step and time budgets, unknown versions, the
/// staleness bound and counter overflow; it keeps the refusal counters and remembers applied updates. Decides only:
/// nothing here touches the weights. Not thread-safe (the global model's lock guards it), except the norm check and the
/// counters' reads.
/// </summary>
public sealed class PushAdmission
{
    private readonly ParameterServerOptions _options;
    private readonly UpdateLedger _ledger;
    private long _refusedStale;
    private long _refusedUnsafe;

    /// <summary>Admission under <paramref name="options"/>, with the ledger and refusal counts a run resumes with.</summary>
    public PushAdmission(ParameterServerOptions options, IEnumerable<WorkerUpdates> ledger, long version, long refusedStale, long refusedUnsafe)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _ledger = new UpdateLedger(options.RememberedUpdateIdsPerWorker);
        _ledger.Import(ledger, version);
        _refusedStale = refusedStale;
        _refusedUnsafe = refusedUnsafe;
    }

    /// <summary>Pushes refused because they were too stale, over the whole run.</summary>
    public long RefusedStalePushes => Interlocked.Read(ref _refusedStale);

    /// <summary>Pushes refused as <see cref="PushResult.Unsafe"/>, over the whole run.</summary>
    public long RefusedUnsafePushes => Interlocked.Read(ref _refusedUnsafe);

    /// <summary>
    /// The refusal of a push whose gradient norm is not finite or beyond <c>ParameterServer:MaxPushGradientNorm</c>, or
    /// null; needs no lock (it reads only the push), so the global model checks it before taking its lock.
    /// </summary>
    public PushOutcome? CheckGradientNorm(PushCommand command, ModelTotals current)
    {
        ArgumentNullException.ThrowIfNull(command);
        var norm = command.GradientNorm;
        var maxNorm = _options.MaxPushGradientNorm;
        return double.IsFinite(norm) && (maxNorm <= 0 || norm <= maxNorm)
            ? null
            : RefuseUnsafe(
                current,
                $"the gradient's global L2 norm is {norm:G4}, beyond the server's bound of {maxNorm:G4} (ParameterServer:MaxPushGradientNorm); not applied");
    }

    /// <summary>
    /// Decides a push against the <paramref name="current"/> counters: duplicate first (a retry is answered even after
    /// shutdown or finish), then shutting down, finished, unknown version, too stale, counter overflow.
    /// </summary>
    public Admission Admit(PushCommand command, ModelTotals current, bool closed, string? finishedReason)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(current);
        if (_ledger.TryGet(command.WorkerId, command.UpdateId, out var remembered))
        {
            return Refuse(new PushOutcome(PushResult.Duplicate, remembered.Version, remembered.Staleness, current, null, null));
        }

        if (closed)
        {
            return Refuse(Refused(PushResult.ShuttingDown, current, "the parameter server is shutting down; push again when it is back"));
        }

        if (finishedReason is not null)
        {
            return Refuse(Refused(PushResult.Finished, current, $"training finished: {finishedReason}"));
        }

        if (command.BaseVersion > current.Version)
        {
            return Refuse(Refused(
                PushResult.UnknownVersion, current,
                $"unknown version {command.BaseVersion}: the current version is {current.Version} (the server may have restarted from a checkpoint); pull again"));
        }

        var staleness = current.Version - command.BaseVersion;
        if (staleness > _options.MaxStaleness)
        {
            Interlocked.Increment(ref _refusedStale);
            return Refuse(Refused(
                PushResult.TooStale, current,
                $"stale push: base version {command.BaseVersion} is {staleness} versions behind the current {current.Version} (at most {_options.MaxStaleness} allowed); pull again"));
        }

        try
        {
            var next = checked(new ModelTotals(
                current.Version + 1,
                current.EnvironmentSteps + command.EnvironmentSteps,
                current.Updates + 1,
                current.Episodes + command.EpisodeReturns.Count));
            return new Admission(null, next, staleness);
        }
        catch (OverflowException)
        {
            return Refuse(Refused(
                PushResult.CounterOverflow, current, "a run counter (version, environment steps, updates or episodes) would overflow; not applied"));
        }
    }

    /// <summary>The budget that <paramref name="totals"/> after <paramref name="elapsedSeconds"/> of training use up, or null.</summary>
    public string? ExhaustedBudget(ModelTotals totals, double elapsedSeconds)
    {
        ArgumentNullException.ThrowIfNull(totals);
        if (_options.StopAtEnvironmentSteps > 0 && totals.EnvironmentSteps >= _options.StopAtEnvironmentSteps)
        {
            return FinishReasons.StepBudget;
        }

        return _options.StopAtElapsedSeconds > 0 && elapsedSeconds >= _options.StopAtElapsedSeconds ? FinishReasons.TimeBudget : null;
    }

    /// <summary>Counts and words the refusal of an admitted push that the apply step found unsafe.</summary>
    public PushOutcome RefuseUnsafe(ModelTotals current, string message)
    {
        Interlocked.Increment(ref _refusedUnsafe);
        return Refused(PushResult.Unsafe, current, message);
    }

    /// <summary>Remembers an applied push under its update id, so a retry is answered as a duplicate.</summary>
    public void Remember(PushCommand command, long version, long staleness)
    {
        ArgumentNullException.ThrowIfNull(command);
        _ledger.Remember(command.WorkerId, new RememberedUpdate(command.UpdateId, version, staleness));
    }

    /// <summary>The ledger as saved in a checkpoint.</summary>
    public List<WorkerUpdates> ExportLedger() => _ledger.Export();

    private static Admission Refuse(PushOutcome refusal) => new(refusal, refusal.Totals, 0);

    private static PushOutcome Refused(PushResult result, ModelTotals current, string message) =>
        new(result, current.Version, 0, current, null, message);
}

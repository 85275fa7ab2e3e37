namespace A3cGrpc.ParameterServer.Model;

/// <summary>What an applied push produced, remembered under its update id.</summary>
/// <param name="UpdateId">The push's idempotency key.</param>
/// <param name="Version">The model version the push produced.</param>
/// <param name="Staleness">Its staleness when it was applied.</param>
public sealed record RememberedUpdate(string UpdateId, long Version, long Staleness);

/// <summary>A worker's remembered updates, oldest first (as saved in a checkpoint).</summary>
public sealed record WorkerUpdates(string WorkerId, IReadOnlyList<RememberedUpdate> Updates);

/// <summary>
/// The idempotency memory of pushes: per worker, the last <c>capacity</c> update ids with the version each produced,
/// so a retried push is answered with that version instead of being applied twice. Saved with every checkpoint, so
/// it survives a restart. Not thread-safe (the global model's lock guards it).
/// </summary>
public sealed class UpdateLedger
{
    private readonly int _capacity;
    private readonly Dictionary<string, WorkerLedger> _workers = new(StringComparer.Ordinal);

    /// <summary>An empty ledger remembering <paramref name="capacity"/> updates per worker.</summary>
    public UpdateLedger(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Looks up an update of a worker.</summary>
    public bool TryGet(string workerId, string updateId, out RememberedUpdate update)
    {
        update = null!;
        return _workers.TryGetValue(workerId, out var worker) && worker.ById.TryGetValue(updateId, out update!);
    }

    /// <summary>Remembers an applied update, forgetting the worker's oldest beyond the capacity.</summary>
    public void Remember(string workerId, RememberedUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (!_workers.TryGetValue(workerId, out var worker))
        {
            worker = new WorkerLedger();
            _workers.Add(workerId, worker);
        }

        if (!worker.ById.TryAdd(update.UpdateId, update))
        {
            return;
        }

        worker.Order.Enqueue(update);
        while (worker.Order.Count > _capacity)
        {
            worker.ById.Remove(worker.Order.Dequeue().UpdateId);
        }
    }

    /// <summary>Everything remembered, per worker, oldest first.</summary>
    public List<WorkerUpdates> Export() =>
        [.. _workers.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => new WorkerUpdates(w.Key, [.. w.Value.Order]))];

    /// <summary>Restores updates saved by <see cref="Export"/> whose version is at most <paramref name="maxVersion"/>.</summary>
    public void Import(IEnumerable<WorkerUpdates> workers, long maxVersion)
    {
        ArgumentNullException.ThrowIfNull(workers);
        foreach (var worker in workers)
        {
            foreach (var update in worker.Updates.Where(u => u.Version <= maxVersion))
            {
                Remember(worker.WorkerId, update);
            }
        }
    }

    private sealed class WorkerLedger
    {
        public Dictionary<string, RememberedUpdate> ById { get; } = new(StringComparer.Ordinal);

        public Queue<RememberedUpdate> Order { get; } = new();
    }
}

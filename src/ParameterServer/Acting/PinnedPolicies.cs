using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Runs;

namespace A3cGrpc.ParameterServer.Acting;

/// <summary>
/// Policies of pinned versions, loaded from the run's snapshots on first use and kept for the
/// <see cref="CacheSize"/> most recently used versions. Each has its own lock.
/// </summary>
public sealed class PinnedPolicies(PolicySnapshots snapshots, RunSetup setup) : IDisposable
{
    /// <summary>Pinned versions kept loaded.</summary>
    public const int CacheSize = 4;

    private readonly Lock _gate = new();
    private readonly LinkedList<Pinned> _cache = new();
    private bool _disposed;

    /// <summary>
    /// Acts with the snapshot of <paramref name="version"/>; returns false when that version is not (or no longer) kept.
    /// </summary>
    public bool TryAct(
        long version, ReadOnlySpan<float> observations, Span<float> actions, Span<float> mu, Span<float> std, Span<float> values,
        bool deterministic)
    {
        // A policy evicted between lookup and use is disposed: look it up again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var pinned = Find(version);
            if (pinned is null)
            {
                return false;
            }

            if (pinned.TryAct(observations, actions, mu, std, values, deterministic))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var pinned in _cache)
            {
                pinned.Dispose();
            }

            _cache.Clear();
        }
    }

    private Pinned? Find(long version)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // Forget versions whose snapshots were deleted, so pinning follows ListModelVersions.
            for (var node = _cache.First; node is not null;)
            {
                var next = node.Next;
                if (!snapshots.Contains(node.Value.Version))
                {
                    node.Value.Dispose();
                    _cache.Remove(node);
                }

                node = next;
            }

            for (var node = _cache.First; node is not null; node = node.Next)
            {
                if (node.Value.Version == version)
                {
                    _cache.Remove(node);
                    _cache.AddFirst(node);
                    return node.Value;
                }
            }

            if (!snapshots.Contains(version))
            {
                return null;
            }

            Pinned loaded;
            try
            {
                loaded = Pinned.Load(snapshots.PathOf(version), version, setup);
            }
            catch (FileNotFoundException)
            {
                return null; // deleted since the check
            }

            _cache.AddFirst(loaded);
            while (_cache.Count > CacheSize)
            {
                _cache.Last!.Value.Dispose();
                _cache.RemoveLast();
            }

            return loaded;
        }
    }

    private sealed class Pinned : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly LocalLearner _learner;
        private readonly ActorCriticPolicy _policy;
        private bool _disposed;

        private Pinned(LocalLearner learner, long version, int runSeed)
        {
            _learner = learner;
            Version = version;
            _policy = new ActorCriticPolicy(learner.Model, PolicySeeds.Pinned(runSeed, version));
        }

        public long Version { get; }

        public static Pinned Load(string path, long version, RunSetup setup)
        {
            var learner = new LocalLearner(setup.Hyperparameters, setup.Seed);
            try
            {
                var checkpoint = learner.LoadCheckpoint(path);
                if (checkpoint.Counters.ModelVersion != version)
                {
                    throw new InvalidDataException($"Snapshot {path} holds version {checkpoint.Counters.ModelVersion}, not {version}.");
                }

                return new Pinned(learner, version, setup.Seed);
            }
            catch
            {
                learner.Dispose();
                throw;
            }
        }

        public bool TryAct(
            ReadOnlySpan<float> observations, Span<float> actions, Span<float> mu, Span<float> std, Span<float> values, bool deterministic)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _policy.Act(observations, actions, mu, std, values, deterministic);
                return true;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                _policy.Dispose();
                _learner.Dispose();
            }
        }
    }
}

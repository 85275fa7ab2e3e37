using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Runs;

namespace A3cGrpc.ParameterServer.Acting;

/// <summary>
/// Networks of pinned versions, loaded from the run's snapshots on first use and kept for the
/// <see cref="CacheSize"/> most recently used versions, and the network of the best-evaluated policy.
/// </summary>
public sealed class PinnedPolicies(PolicySnapshots snapshots, BestPolicyKeeper best, RunSetup setup)
{
    /// <summary>Pinned versions kept loaded.</summary>
    public const int CacheSize = 4;

    private readonly Lock _gate = new();
    private readonly LinkedList<ServingNetwork> _cache = new();
    private ServingNetwork? _best;

    /// <summary>The network of the best-evaluated policy (reloaded when a better one is kept), or null before the first.</summary>
    /// <exception cref="InvalidDataException">The best-policy file is corrupt.</exception>
    public ServingNetwork? FindBest()
    {
        lock (_gate)
        {
            if (best.Current is not { } current)
            {
                return null;
            }

            if (_best?.Version != current.ModelVersion)
            {
                using var learner = new GlobalLearner(setup.Hyperparameters, setup.Seed);
                var loaded = BestPolicyFile.Load(best.Path, learner);
                _best = ServingNetwork.Create(learner.ExportParameters(), setup.Hyperparameters, loaded.ModelVersion, learner.Model.ObservationStatistics);
            }

            return _best;
        }
    }

    /// <summary>The network of <paramref name="version"/>, or null when that version is not (or no longer) kept.</summary>
    /// <exception cref="InvalidDataException">The snapshot file is corrupt.</exception>
    public ServingNetwork? Find(long version)
    {
        lock (_gate)
        {
            // Forget versions whose snapshots were deleted, so pinning follows ListModelVersions.
            for (var node = _cache.First; node is not null;)
            {
                var next = node.Next;
                if (!snapshots.Contains(node.Value.Version))
                {
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

            ServingNetwork loaded;
            try
            {
                loaded = Load(snapshots.PathOf(version), version);
            }
            catch (FileNotFoundException)
            {
                return null; // deleted since the check
            }

            _cache.AddFirst(loaded);
            while (_cache.Count > CacheSize)
            {
                _cache.RemoveLast();
            }

            return loaded;
        }
    }

    private ServingNetwork Load(string path, long version)
    {
        using var learner = new GlobalLearner(setup.Hyperparameters, setup.Seed);
        var checkpoint = learner.LoadCheckpoint(path);
        if (checkpoint.Counters.ModelVersion != version)
        {
            throw new InvalidDataException($"Snapshot {path} holds version {checkpoint.Counters.ModelVersion}, not {version}.");
        }

        return ServingNetwork.Create(learner.ExportParameters(), setup.Hyperparameters, version, learner.Model.ObservationStatistics);
    }
}

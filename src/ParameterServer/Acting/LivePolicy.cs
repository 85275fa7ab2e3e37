using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Runs;

namespace A3cGrpc.ParameterServer.Acting;

/// <summary>
/// The policy on the live weights: its own copy of the network (so acting never takes the training lock for a
/// forward pass), refreshed from the global model when the version changed, at most every
/// <see cref="RefreshInterval"/>. Forward passes are serialised by the copy's own lock.
/// </summary>
public sealed class LivePolicy : IDisposable
{
    /// <summary>The shortest time between two refreshes (unless a caller asks for the current version by number).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(50);

    private readonly Lock _gate = new();
    private readonly GlobalModel _model;
    private readonly TimeProvider _time;
    private readonly GradientWorker _copy;
    private readonly ActorCriticPolicy _policy;
    private long _version;
    private long _refreshedAt;
    private bool _disposed;

    /// <summary>A copy of <paramref name="model"/>'s network; the first call loads its weights.</summary>
    public LivePolicy(GlobalModel model, RunSetup setup, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _copy = new GradientWorker(model.Hyperparameters, setup.Seed);
        _policy = new ActorCriticPolicy(_copy.Model, PolicySeeds.Live(setup.Seed));
    }

    /// <summary>The version served now (0 before the first call).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// Acts on <paramref name="observations"/> (validated by the caller) with the live weights, refreshing them first
    /// when they are due. With <paramref name="requiredVersion"/> &gt; 0, serves only that version (refreshing at once if
    /// needed); returns 0 when the live weights are not (or no longer) that version.
    /// </summary>
    /// <returns>The version that acted, or 0.</returns>
    public long Act(
        ReadOnlySpan<float> observations, Span<float> actions, Span<float> mu, Span<float> std, Span<float> values, bool deterministic,
        long requiredVersion = 0)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (requiredVersion > 0)
            {
                if (_version != requiredVersion)
                {
                    Refresh();
                }

                if (_version != requiredVersion)
                {
                    return 0;
                }
            }
            else if (_version != _model.Version && (_version == 0 || _time.GetElapsedTime(_refreshedAt) >= RefreshInterval))
            {
                Refresh();
            }

            _policy.Act(observations, actions, mu, std, values, deterministic);
            return _version;
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
            _policy.Dispose();
            _copy.Dispose();
        }
    }

    private void Refresh()
    {
        var weights = _model.CurrentWeights();
        if (weights.Version != _version)
        {
            _copy.ImportParameters(weights.Weights);
            Interlocked.Exchange(ref _version, weights.Version);
        }

        _refreshedAt = _time.GetTimestamp();
    }
}

/// <summary>Seeds of the policy service's sampling streams, derived from the run's seed.</summary>
public static class PolicySeeds
{
    /// <summary>The live policy's stream.</summary>
    public static long Live(int runSeed) => (((long)runSeed) << 20) ^ 0x5EED_0001;

    /// <summary>The stream of a pinned version's policy.</summary>
    public static long Pinned(int runSeed, long version) => (((long)runSeed) << 20) ^ (0x5EED_0002 + version);
}

using A3cGrpc.ParameterServer.Model;

namespace A3cGrpc.ParameterServer.Acting;

/// <summary>
/// The policy on the live weights: a <see cref="ServingNetwork"/> over a copy of the global weights (so acting never
/// takes the training lock), replaced when the global version changed, at most every <see cref="RefreshInterval"/>.
/// Acting itself needs no lock: each network is immutable.
/// </summary>
public sealed class LivePolicy(GlobalModel model, TimeProvider time)
{
    /// <summary>The shortest time between two refreshes (unless a caller asks for the current version by number).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(50);

    private readonly Lock _refreshGate = new();
    private ServingNetwork? _network;
    private long _refreshedAt;

    /// <summary>The version served now (0 before the first call).</summary>
    public long Version => Volatile.Read(ref _network)?.Version ?? 0;

    /// <summary>The network to act with now: refreshed first when the global version changed and a refresh is due.</summary>
    public ServingNetwork Current()
    {
        var network = Volatile.Read(ref _network);
        if (network is not null
            && (network.Version == model.Version || time.GetElapsedTime(Interlocked.Read(ref _refreshedAt)) < RefreshInterval))
        {
            return network;
        }

        lock (_refreshGate)
        {
            network = _network;
            if (network is null || (network.Version != model.Version && time.GetElapsedTime(_refreshedAt) >= RefreshInterval))
            {
                network = Refresh();
            }

            return network;
        }
    }

    /// <summary>The network of exactly <paramref name="version"/> if that is (or, after a refresh, becomes) the live one.</summary>
    public ServingNetwork? At(long version)
    {
        var network = Volatile.Read(ref _network);
        if (network?.Version == version)
        {
            return network;
        }

        lock (_refreshGate)
        {
            network = _network?.Version == version ? _network : Refresh();
            return network.Version == version ? network : null;
        }
    }

    /// <summary>Checks the serving forward pass against the learning core on the current weights (at start-up).</summary>
    /// <exception cref="InvalidOperationException">They disagree.</exception>
    public void Verify()
    {
        var weights = model.CurrentWeights();
        ServingNetwork.Verify(weights.Weights, model.Hyperparameters);
    }

    private ServingNetwork Refresh()
    {
        var weights = model.CurrentWeights();
        var network = Volatile.Read(ref _network);
        if (network is null || network.Version != weights.Version)
        {
            // The snapshot's arrays are immutable, so the network can use them without a copy.
            network = ServingNetwork.Create(weights.Weights, model.Hyperparameters, weights.Version, weights.ObservationStatistics);
            Volatile.Write(ref _network, network);
        }

        Interlocked.Exchange(ref _refreshedAt, time.GetTimestamp());
        return network;
    }
}

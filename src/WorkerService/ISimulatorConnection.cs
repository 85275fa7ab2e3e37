using A3cGrpc.Distributed.SimulatorClient;

namespace A3cGrpc.WorkerService;

/// <summary>Where a worker's environment sessions come from (<see cref="SimulatorConnection"/>: its EnvSim).</summary>
internal interface ISimulatorConnection
{
    /// <summary>
    /// Opens a session of <paramref name="environments"/> environments, their first episodes staggered when
    /// <paramref name="staggerEpisodes"/>; each session gets new environment seeds.
    /// </summary>
    Task<IEnvironmentSession> OpenSessionAsync(int environments, bool staggerEpisodes, CancellationToken cancellationToken);

    /// <summary>Forgets the current connection after a session failed, so that the next session gets a working simulator.</summary>
    Task ResetAfterFailureAsync();
}

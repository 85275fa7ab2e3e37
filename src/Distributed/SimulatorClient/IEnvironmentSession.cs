using System.Diagnostics;

namespace A3cGrpc.Distributed.SimulatorClient;

/// <summary>
/// What a rollout needs of a session of K environments stepped in lock step: their observations, the last step's
/// rewards and truncations, and a step. <see cref="SimulatorSession"/> is the one on an EnvSim process.
/// </summary>
public interface IEnvironmentSession : IAsyncDisposable
{
    /// <summary>K, the environments of the session.</summary>
    int Count { get; }

    /// <summary>K × observation size observations after the last step (or reset), environment after environment.</summary>
    ReadOnlySpan<float> Observations { get; }

    /// <summary>The K rewards of the last step (zeros after a reset).</summary>
    ReadOnlySpan<float> Rewards { get; }

    /// <summary>
    /// K flags: the environment's episode hit the time limit at the last step and a new one has started, whose first
    /// observation is in <see cref="Observations"/>.
    /// </summary>
    ReadOnlySpan<bool> Truncated { get; }

    /// <summary>
    /// The state the last step ended in for environment <paramref name="env"/> (the n-step bootstrap state): the
    /// observation its episode ended on if it was truncated, else its row of <see cref="Observations"/>.
    /// </summary>
    ReadOnlySpan<float> NextStateOf(int env);

    /// <summary>Steps all K environments with <paramref name="actions"/> (K × action size) and waits for the result.</summary>
    /// <param name="actions">Finite actions; the environments clip them to the action space.</param>
    /// <param name="traceContext">The rollout span to continue the trace in; <c>default</c>: no trace.</param>
    /// <param name="endsRollout">This step is the rollout's last.</param>
    /// <param name="cancellationToken">Cancels the wait (and breaks the session).</param>
    /// <exception cref="Grpc.Core.RpcException">The environments failed or did not answer in time; the session is broken.</exception>
    Task StepAsync(ReadOnlyMemory<float> actions, ActivityContext traceContext, bool endsRollout, CancellationToken cancellationToken);
}

using System.Globalization;
using A3cGrpc.Simulation.Interop;

namespace A3cGrpc.Simulation;

/// <summary>
/// The one implementation of the gym contract behind <see cref="CartPoleSwingUpEnv"/> (one
/// environment) and <see cref="VectorSwingUpEnv"/> (K environments): reset noise, action
/// validation and clipping, observation and reward, the 1000-step truncation, and the
/// episode bookkeeping. The physics is one native world holding K cart-poles.
/// Not thread-safe.
/// </summary>
internal sealed class SwingUpSimulation : IDisposable
{
    private const int StateSize = NativeMethods.StateSize;
    private const int ObservationSize = SwingUpConstants.ObservationSize;

    private readonly object _owner;
    private readonly NativeWorld _world;
    private readonly int[] _seeds;
    private readonly Random[] _random;
    private readonly double[] _states;
    private readonly double[] _observations;
    private readonly double[] _forces;
    private readonly double[] _thetaOffsets;
    private readonly int[] _elapsedSteps;
    private readonly EpisodePhase[] _phases;
    private bool _disposed;

    /// <param name="owner">The public object, named in <see cref="ObjectDisposedException"/>.</param>
    /// <param name="seeds">One seed per environment, for its own <see cref="System.Random"/>.</param>
    public SwingUpSimulation(object owner, ReadOnlySpan<int> seeds)
    {
        _owner = owner;
        var count = seeds.Length;
        _seeds = seeds.ToArray();
        _random = new Random[count];
        for (var i = 0; i < count; i++)
        {
            _random[i] = new Random(_seeds[i]);
        }

        _states = new double[count * StateSize];
        _observations = new double[count * ObservationSize];
        _forces = new double[count];
        _thetaOffsets = new double[count];
        _elapsedSteps = new int[count];
        _phases = new EpisodePhase[count];
        _world = NativeWorld.Create(count);
    }

    private enum EpisodePhase
    {
        NotStarted,
        Running,
        Truncated,
    }

    public int Count => _seeds.Length;

    public ReadOnlySpan<int> Seeds => _seeds;

    /// <summary>The current observations, K×5 row-major. Valid (and stable) until the next reset or step.</summary>
    public ReadOnlySpan<double> Observations
    {
        get
        {
            ThrowIfDisposed();
            return _observations;
        }
    }

    public ReadOnlyMemory<double> ObservationMemory
    {
        get
        {
            ThrowIfDisposed();
            return _observations;
        }
    }

    public ReadOnlySpan<double> GetObservation(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        return _observations.AsSpan(index * ObservationSize, ObservationSize);
    }

    public int GetElapsedSteps(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        return _elapsedSteps[index];
    }

    public bool IsTruncated(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        return _phases[index] == EpisodePhase.Truncated;
    }

    public bool NeedsReset(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        return _phases[index] != EpisodePhase.Running;
    }

    public double GetThetaOffset(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        return _thetaOffsets[index];
    }

    public double GetTheta(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        return _states[(index * StateSize) + 2];
    }

    /// <summary>Draws u ~ U[-0.1, 0.1) from environment <paramref name="index"/>'s generator and resets it.</summary>
    public void Reset(int index)
    {
        ThrowIfDisposed();
        CheckIndex(index);

        // 2r - 1 is exact for the 53-bit r of NextDouble, and 0.1 * (1 - 2^-52) rounds below 0.1,
        // so u stays in the half-open [-0.1, 0.1) of numpy's uniform (docs/env-spec.md §1 reset, step 4).
        var u = SwingUpConstants.ResetNoise * ((2.0 * _random[index].NextDouble()) - 1.0);
        ResetCore(index, u);
    }

    /// <summary>Resets environment <paramref name="index"/> to θ = 3.1415 + <paramref name="thetaOffset"/>.</summary>
    public void Reset(int index, double thetaOffset)
    {
        ThrowIfDisposed();
        CheckIndex(index);
        if (!double.IsFinite(thetaOffset))
        {
            throw new ArgumentOutOfRangeException(
                nameof(thetaOffset), thetaOffset, "The reset angle offset must be a finite number of radians.");
        }

        ResetCore(index, thetaOffset);
    }

    /// <summary>
    /// Steps every environment once. Checks everything before touching the physics, so a
    /// rejected call changes nothing.
    /// </summary>
    /// <param name="actions">One action per environment.</param>
    /// <param name="rewards">Receives one reward per environment.</param>
    /// <param name="truncated">Receives one truncation flag per environment.</param>
    /// <param name="actionsName">The public parameter name reported for bad actions.</param>
    public void Step(ReadOnlySpan<double> actions, Span<double> rewards, Span<bool> truncated, string actionsName = "actions")
    {
        ThrowIfDisposed();
        var count = Count;
        RequireLength(actions.Length, count, actionsName, "action");
        RequireLength(rewards.Length, count, nameof(rewards), "reward");
        RequireLength(truncated.Length, count, nameof(truncated), "truncation flag");

        for (var i = 0; i < count; i++)
        {
            if (!double.IsFinite(actions[i]))
            {
                throw new ArgumentException(
                    $"{Describe("Action", i)} is {actions[i].ToString(CultureInfo.InvariantCulture)}; actions must be finite numbers (finite values are clipped to [{SwingUpConstants.ActionLow}, {SwingUpConstants.ActionHigh}]).",
                    actionsName);
            }
        }

        for (var i = 0; i < count; i++)
        {
            switch (_phases[i])
            {
                case EpisodePhase.NotStarted:
                    throw new InvalidOperationException(
                        $"{Describe("Environment", i)} has no running episode: call Reset before Step.");
                case EpisodePhase.Truncated:
                    throw new InvalidOperationException(
                        $"{Describe("Environment", i)} was truncated after {SwingUpConstants.MaxEpisodeSteps} steps: call Reset before stepping it again.");
                case EpisodePhase.Running:
                default:
                    break;
            }
        }

        for (var i = 0; i < count; i++)
        {
            _forces[i] = SwingUpConstants.ForceScale
                * Math.Clamp(actions[i], SwingUpConstants.ActionLow, SwingUpConstants.ActionHigh);
        }

        try
        {
            _world.Step(_forces, _states);
        }
        catch
        {
            // The native step may have advanced some cart-poles and not others: every
            // episode is void, and a reset restores a fully defined state.
            Array.Fill(_phases, EpisodePhase.NotStarted);
            throw;
        }

        for (var i = 0; i < count; i++)
        {
            WriteObservation(i);
            var steps = ++_elapsedSteps[i];
            var isTruncated = steps >= SwingUpConstants.MaxEpisodeSteps;
            _phases[i] = isTruncated ? EpisodePhase.Truncated : EpisodePhase.Running;

            // Reward = cos θ after the physics step (docs/env-spec.md §1 reward).
            rewards[i] = _observations[(i * ObservationSize) + 2];
            truncated[i] = isTruncated;
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _world.Dispose();
        }
    }

    private void ResetCore(int index, double thetaOffset)
    {
        // x = 0, vx = 0 (pybullet's restoreState), θ = 3.1415 + u, θ̇ = 0 (docs/env-spec.md §1 reset, §4 item 12).
        ReadOnlySpan<double> start = [0.0, 0.0, SwingUpConstants.ResetTheta + thetaOffset, 0.0];
        _phases[index] = EpisodePhase.NotStarted;
        _world.Reset(index, start, _states.AsSpan(index * StateSize, StateSize));
        _thetaOffsets[index] = thetaOffset;
        _elapsedSteps[index] = 0;
        _phases[index] = EpisodePhase.Running;
        WriteObservation(index);
    }

    private void WriteObservation(int index) =>
        WriteObservation(
            _states.AsSpan(index * StateSize, StateSize),
            _observations.AsSpan(index * ObservationSize, ObservationSize));

    /// <summary>
    /// Writes [x, vx, cos θ, sin θ, θ̇] from a state [x, vx, θ, θ̇]; θ is not wrapped, and a
    /// non-finite value becomes 0 (docs/env-spec.md §1 observation).
    /// </summary>
    internal static void WriteObservation(ReadOnlySpan<double> state, Span<double> observation)
    {
        var theta = state[2];
        observation[0] = FiniteOrZero(state[0]);
        observation[1] = FiniteOrZero(state[1]);
        observation[2] = FiniteOrZero(Math.Cos(theta));
        observation[3] = FiniteOrZero(Math.Sin(theta));
        observation[4] = FiniteOrZero(state[3]);
    }

    private static double FiniteOrZero(double value) => double.IsFinite(value) ? value : 0.0;

    private string Describe(string noun, int index) =>
        Count == 1 ? $"{noun} [0]" : $"{noun} [{index}] of {Count}";

    private static void RequireLength(int actual, int expected, string parameter, string what)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"Expected {expected} {what}{(expected == 1 ? string.Empty : "s")} (one per environment), got {actual}.",
                parameter);
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(index), index, $"Environment index must be in [0, {Count}).");
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming the public owner once disposed.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, _owner);
}

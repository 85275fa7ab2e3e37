namespace A3cGrpc.Simulation;

/// <summary>
/// pybullet's <c>InvertedPendulumSwingupBulletEnv-v0</c> (with gym's 1000-step TimeLimit),
/// rebuilt on Bullet's Featherstone classes through the native shim (docs/env-spec.md).
/// </summary>
/// <remarks>
/// <para>Contract: <see cref="Reset()"/> puts the cart at x = 0 at rest and the pole at
/// θ = 3.1415 + u, u ~ U[−0.1, 0.1), and returns <c>[x, vx, cos θ, sin θ, θ̇]</c>.
/// <see cref="Step(ReadOnlySpan{double})"/> clips the action to [−1, 1], pushes the cart with
/// 100·a newtons for one 0.0165 s physics step and returns the reward cos θ. Episodes never
/// terminate; the 1000th step is truncated, after which <see cref="Reset()"/> is required.</para>
/// <para>Errors: a wrong action length or a non-finite action throws <see cref="ArgumentException"/>;
/// stepping before the first reset or after truncation throws <see cref="InvalidOperationException"/>;
/// any use after <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>; a native
/// failure throws <see cref="BulletException"/>. Not thread-safe: use one instance per thread.</para>
/// </remarks>
public sealed class CartPoleSwingUpEnv : IDisposable
{
    private readonly SwingUpSimulation _simulation;

    /// <summary>Creates the environment; nothing is simulated until <see cref="Reset()"/>.</summary>
    /// <param name="seed">Seed of this environment's own <see cref="Random"/>, which draws the reset noise.
    /// As with <see cref="Random(int)"/>, seeds s and −s give the same stream.</param>
    /// <exception cref="BulletException">The native world could not be created.</exception>
    public CartPoleSwingUpEnv(int seed)
    {
        _simulation = new SwingUpSimulation(this, [seed]);
    }

    /// <summary>The seed given to the constructor.</summary>
    public int Seed => _simulation.Seeds[0];

    /// <summary>Steps taken in the current episode (0 right after a reset).</summary>
    public int ElapsedSteps => _simulation.GetElapsedSteps(0);

    /// <summary>Whether the current episode reached <see cref="SwingUpConstants.MaxEpisodeSteps"/>; a reset is then required.</summary>
    public bool IsTruncated => _simulation.IsTruncated(0);

    /// <summary>Whether <see cref="Step(ReadOnlySpan{double})"/> would refuse to run: never reset, or truncated.</summary>
    public bool NeedsReset => _simulation.NeedsReset(0);

    /// <summary>The offset u of the last reset: the episode started at θ = 3.1415 + u.</summary>
    public double ThetaOffset => _simulation.GetThetaOffset(0);

    /// <summary>The pole angle θ in radians, not wrapped (0 is upright; it can pass ±π and keep counting).</summary>
    public double Theta => _simulation.GetTheta(0);

    /// <summary>The current observation <c>[x, vx, cos θ, sin θ, θ̇]</c>, valid until the next reset or step.</summary>
    public ReadOnlySpan<double> Observation => _simulation.GetObservation(0);

    /// <summary>Starts an episode with u drawn from this environment's generator.</summary>
    /// <returns>A new array with the first observation.</returns>
    public double[] Reset()
    {
        _simulation.Reset(0);
        return Observation.ToArray();
    }

    /// <summary>Starts an episode at θ = 3.1415 + <paramref name="thetaOffset"/>, without drawing noise (replays, tests).</summary>
    /// <param name="thetaOffset">Any finite offset in radians; gym's own resets lie in [−0.1, 0.1).</param>
    /// <returns>A new array with the first observation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="thetaOffset"/> is NaN or infinite.</exception>
    public double[] Reset(double thetaOffset)
    {
        _simulation.Reset(0, thetaOffset);
        return Observation.ToArray();
    }

    /// <summary>Allocation-free <see cref="Reset()"/>: writes the first observation to <paramref name="observation"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="observation"/> is shorter than 5.</exception>
    public void Reset(Span<double> observation)
    {
        RequireObservationBuffer(observation);
        _simulation.Reset(0);
        Observation.CopyTo(observation);
    }

    /// <summary>Allocation-free <see cref="Reset(double)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="observation"/> is shorter than 5, or the offset is not finite.</exception>
    public void Reset(double thetaOffset, Span<double> observation)
    {
        RequireObservationBuffer(observation);
        _simulation.Reset(0, thetaOffset);
        Observation.CopyTo(observation);
    }

    /// <summary>Advances the episode by one 0.0165 s step.</summary>
    /// <param name="action">Exactly one finite value; clipped to [−1, 1], then 100·a newtons push the cart.</param>
    /// <returns>The new observation (a new array), reward, flags and step index.</returns>
    public StepResult Step(ReadOnlySpan<double> action)
    {
        var outcome = StepCore(action);
        return new StepResult(Observation.ToArray(), outcome.Reward, outcome.Terminated, outcome.Truncated, outcome.StepIndex);
    }

    /// <summary>Allocation-free <see cref="Step(ReadOnlySpan{double})"/>: writes the observation to <paramref name="observation"/>.</summary>
    /// <param name="action">Exactly one finite value; clipped to [−1, 1].</param>
    /// <param name="observation">Receives <c>[x, vx, cos θ, sin θ, θ̇]</c>; at least 5 long.</param>
    public StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        RequireObservationBuffer(observation);
        var outcome = StepCore(action);
        Observation.CopyTo(observation);
        return outcome;
    }

    /// <summary>Frees the native world. Idempotent.</summary>
    public void Dispose() => _simulation.Dispose();

    private StepOutcome StepCore(ReadOnlySpan<double> action)
    {
        _simulation.ThrowIfDisposed();
        if (action.Length != SwingUpConstants.ActionSize)
        {
            throw new ArgumentException(
                $"Expected {SwingUpConstants.ActionSize} action value, got {action.Length}.", nameof(action));
        }

        Span<double> reward = stackalloc double[1];
        Span<bool> truncated = stackalloc bool[1];
        _simulation.Step(action, reward, truncated, nameof(action));
        return new StepOutcome(reward[0], Terminated: false, truncated[0], _simulation.GetElapsedSteps(0));
    }

    private void RequireObservationBuffer(Span<double> observation)
    {
        _simulation.ThrowIfDisposed();
        if (observation.Length < SwingUpConstants.ObservationSize)
        {
            throw new ArgumentException(
                $"The observation buffer needs {SwingUpConstants.ObservationSize} values, got {observation.Length}.",
                nameof(observation));
        }
    }
}

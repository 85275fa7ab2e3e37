namespace A3cGrpc.Simulation;

/// <summary>
/// K independent <see cref="CartPoleSwingUpEnv"/> environments stepped together by one native
/// call, with their observations in one contiguous K×5 buffer (row-major: environment i
/// occupies <c>[5i, 5i + 5)</c>).
/// </summary>
/// <remarks>
/// <para>Environment i behaves exactly like a <see cref="CartPoleSwingUpEnv"/> created with
/// seed <see cref="Seeds"/>[i] and given the same calls: both share one implementation.</para>
/// <para>There is no auto-reset: an environment that reaches step 1000 keeps its final
/// observation (for bootstrapping) and stays truncated until <see cref="Reset(int)"/>.
/// <see cref="Step"/> refuses to run while any environment is truncated or was never reset,
/// and checks everything before touching the physics, so a rejected call changes nothing.
/// Not thread-safe.</para>
/// </remarks>
public sealed class VectorSwingUpEnv : IDisposable
{
    /// <summary>Largest supported K; each environment is a full Bullet world.</summary>
    public const int MaxCount = 65536;

    private readonly SwingUpSimulation _simulation;
    private readonly IReadOnlyList<int> _seeds;

    /// <summary>Creates <paramref name="count"/> environments; environment i is seeded with <see cref="DeriveSeed"/>(<paramref name="baseSeed"/>, i).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not in [1, <see cref="MaxCount"/>].</exception>
    public VectorSwingUpEnv(int count, int baseSeed)
        : this(DeriveSeeds(count, baseSeed))
    {
    }

    /// <summary>Creates one environment per seed, in order.</summary>
    /// <exception cref="ArgumentException">No seeds, or more than <see cref="MaxCount"/>.</exception>
    public VectorSwingUpEnv(IReadOnlyList<int> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count is < 1 or > MaxCount)
        {
            throw new ArgumentException($"Expected between 1 and {MaxCount} seeds, got {seeds.Count}.", nameof(seeds));
        }

        var copy = new int[seeds.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = seeds[i];
        }

        _simulation = new SwingUpSimulation(this, copy);
        _seeds = Array.AsReadOnly(copy);
    }

    /// <summary>Number of environments K.</summary>
    public int Count => _simulation.Count;

    /// <summary>The seed of each environment's generator.</summary>
    public IReadOnlyList<int> Seeds => _seeds;

    /// <summary>All observations, K×5 row-major. Overwritten in place by resets and steps.</summary>
    public ReadOnlySpan<double> Observations => _simulation.Observations;

    /// <summary>The same buffer as <see cref="Observations"/>, for callers that cannot hold a span.</summary>
    public ReadOnlyMemory<double> ObservationMemory => _simulation.ObservationMemory;

    /// <summary>
    /// Seed of environment <paramref name="index"/> for a given base seed: a SplitMix64 mix of
    /// both, non-negative, stable across runs and platforms.
    /// </summary>
    public static int DeriveSeed(int baseSeed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var z = ((ulong)(uint)baseSeed << 32) | (uint)index;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & int.MaxValue);
    }

    /// <summary>The observation <c>[x, vx, cos θ, sin θ, θ̇]</c> of environment <paramref name="index"/>.</summary>
    public ReadOnlySpan<double> GetObservation(int index) => _simulation.GetObservation(index);

    /// <summary>Copies all K×5 observations to <paramref name="destination"/> as float32 (the network's type).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than K×5.</exception>
    public void CopyObservationsTo(Span<float> destination)
    {
        var source = _simulation.Observations;
        if (destination.Length < source.Length)
        {
            throw new ArgumentException(
                $"The destination needs {source.Length} values (K = {Count} × {SwingUpConstants.ObservationSize}), got {destination.Length}.",
                nameof(destination));
        }

        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    /// <summary>Steps taken in environment <paramref name="index"/>'s current episode.</summary>
    public int GetElapsedSteps(int index) => _simulation.GetElapsedSteps(index);

    /// <summary>Whether environment <paramref name="index"/> reached step 1000 and awaits a reset.</summary>
    public bool IsTruncated(int index) => _simulation.IsTruncated(index);

    /// <summary>Whether environment <paramref name="index"/> was never reset or is truncated.</summary>
    public bool NeedsReset(int index) => _simulation.NeedsReset(index);

    /// <summary>The offset u of environment <paramref name="index"/>'s last reset.</summary>
    public double GetThetaOffset(int index) => _simulation.GetThetaOffset(index);

    /// <summary>The pole angle θ of environment <paramref name="index"/>, not wrapped.</summary>
    public double GetTheta(int index) => _simulation.GetTheta(index);

    /// <summary>Starts a new episode in environment <paramref name="index"/>, u drawn from its generator.</summary>
    public void Reset(int index) => _simulation.Reset(index);

    /// <summary>Starts a new episode in environment <paramref name="index"/> at θ = 3.1415 + <paramref name="thetaOffset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range or the offset is not finite.</exception>
    public void Reset(int index, double thetaOffset) => _simulation.Reset(index, thetaOffset);

    /// <summary>Resets every environment, in index order, each from its own generator.</summary>
    public void ResetAll()
    {
        for (var i = 0; i < Count; i++)
        {
            _simulation.Reset(i);
        }
    }

    /// <summary>Steps all K environments once; the observations are updated in place.</summary>
    /// <param name="actions">K finite actions, one per environment, each clipped to [−1, 1].</param>
    /// <param name="rewards">Receives K rewards (cos θ).</param>
    /// <param name="truncated">Receives K flags, <see langword="true"/> where this step was the episode's 1000th.</param>
    /// <exception cref="ArgumentException">A span is not K long, or an action is not finite.</exception>
    /// <exception cref="InvalidOperationException">An environment was never reset or is truncated.</exception>
    public void Step(ReadOnlySpan<double> actions, Span<double> rewards, Span<bool> truncated) =>
        _simulation.Step(actions, rewards, truncated);

    /// <summary>Frees the native world. Idempotent.</summary>
    public void Dispose() => _simulation.Dispose();

    private static int[] DeriveSeeds(int count, int baseSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        var seeds = new int[count];
        for (var i = 0; i < count; i++)
        {
            seeds[i] = DeriveSeed(baseSeed, i);
        }

        return seeds;
    }
}

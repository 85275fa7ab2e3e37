using System.Globalization;

namespace A3cGrpc.Simulation.Tests;

/// <summary>
/// The resident memory of the native worlds: what K environments cost, and that creating, stepping through
/// auto-resets and disposing them gives the memory back. Measured as the process's anonymous resident memory
/// (RssAnon in /proc/self/status), so the tests run alone: no other test allocates while they measure.
/// </summary>
[Collection(NativeMemoryTestGroup.Name)]
public sealed class NativeMemoryTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Create_64Environments_CostLessThanOneMebibyteEach()
    {
        // Arrange: the library and the managed code paths are loaded before measuring.
        const int count = 64;
        StepEpisode(new VectorSwingUpEnv(1, 1), 10);
        var before = ResidentAnonymousBytes();

        // Act
        using var environments = new VectorSwingUpEnv(count, 2);
        environments.ResetAll();
        var grown = ResidentAnonymousBytes() - before;

        // Assert: Bullet's default collision pools alone are about 7 MB per world (460 MB here).
        Assert.True(grown < count * MiB, $"{count} environments added {grown / MiB} MiB of resident memory.");
    }

    [Fact]
    public void CreateStepDispose_Repeated_DoesNotGrowResidentMemory()
    {
        // Arrange: two rounds to reach the allocator's steady state.
        const int count = 32;
        const int rounds = 8;
        for (var round = 0; round < 2; round++)
        {
            StepEpisode(new VectorSwingUpEnv(count, round), SwingUpConstants.MaxEpisodeSteps + 1);
        }

        var before = ResidentAnonymousBytes();

        // Act: full episodes, so every environment is truncated and reset once per round.
        for (var round = 2; round < rounds; round++)
        {
            StepEpisode(new VectorSwingUpEnv(count, round), SwingUpConstants.MaxEpisodeSteps + 1);
        }

        var grown = ResidentAnonymousBytes() - before;

        // Assert
        Assert.True(grown < 16 * MiB, $"{rounds - 2} rounds of {count} environments left {grown / MiB} MiB more resident memory.");
    }

    /// <summary>Steps <paramref name="environments"/> with random actions, resetting truncated ones, then disposes them.</summary>
    private static void StepEpisode(VectorSwingUpEnv environments, int steps)
    {
        using (environments)
        {
            var random = new Random(environments.Count);
            var actions = new double[environments.Count];
            var rewards = new double[environments.Count];
            var truncated = new bool[environments.Count];
            environments.ResetAll();
            for (var n = 0; n < steps; n++)
            {
                for (var i = 0; i < actions.Length; i++)
                {
                    actions[i] = (random.NextDouble() * 2) - 1;
                }

                environments.Step(actions, rewards, truncated);
                for (var i = 0; i < truncated.Length; i++)
                {
                    if (truncated[i])
                    {
                        environments.Reset(i);
                    }
                }
            }
        }
    }

    private static long ResidentAnonymousBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                var kilobytes = line["RssAnon:".Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no RssAnon line.");
    }
}

/// <summary>Runs <see cref="NativeMemoryTests"/> with no other test in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryTestGroup
{
    public const string Name = "Native memory";
}

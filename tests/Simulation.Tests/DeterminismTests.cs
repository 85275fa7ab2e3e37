using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>Seeds fix the reset noise; the physics itself has no hidden state between episodes.</summary>
public sealed class DeterminismTests
{
    private static List<double[]> Trajectory(CartPoleSwingUpEnv env, IEnumerable<double> actions)
    {
        var observations = new List<double[]> { env.Reset() };
        foreach (var action in actions)
        {
            observations.Add(env.Step([action]).Observation);
        }

        return observations;
    }

    [Fact]
    public void Trajectory_SameSeedSameActions_IsBitIdentical()
    {
        // Arrange
        using var first = new CartPoleSwingUpEnv(seed: 2024);
        using var second = new CartPoleSwingUpEnv(seed: 2024);
        var actions = Episodes.RandomActions(99, 1000);

        // Act
        var a = Trajectory(first, actions);
        var b = Trajectory(second, actions);

        // Assert: exact equality, including a second episode from the same generators.
        Assert.Equal(a, b);
        Assert.Equal(Trajectory(first, actions), Trajectory(second, actions));
    }

    [Fact]
    public void Reset_DifferentSeeds_DrawDifferentOffsets()
    {
        // Arrange
        using var first = new CartPoleSwingUpEnv(seed: 1);
        using var second = new CartPoleSwingUpEnv(seed: 2);

        // Act
        first.Reset();
        second.Reset();

        // Assert
        Assert.NotEqual(first.ThetaOffset, second.ThetaOffset);
    }

    [Fact]
    public void Reset_AfterEpisodeThatHitTheRail_ReproducesFreshEnvironment()
    {
        // Arrange: a used environment whose cart ended past the limit, and a fresh one.
        using var used = new CartPoleSwingUpEnv(seed: 0);
        used.Reset(0.0);
        for (var i = 0; i < 40; i++)
        {
            used.Step([1.0]);
        }

        Assert.True(used.Observation[0] > 1.05, "the cart should sit past the limit (docs/env-spec.md §5.7)");
        using var fresh = new CartPoleSwingUpEnv(seed: 0);
        var actions = Episodes.RandomActions(5, 1000);

        // Act
        var a = new List<double[]> { used.Reset(-0.03) };
        var b = new List<double[]> { fresh.Reset(-0.03) };
        foreach (var action in actions)
        {
            a.Add(used.Step([action]).Observation);
            b.Add(fresh.Step([action]).Observation);
        }

        // Assert: reset restores everything (pybullet's restoreState), bit for bit.
        Assert.Equal(b, a);
    }

    [Fact]
    public void Trajectories_EnvironmentsOnSeparateThreads_MatchSequentialRuns()
    {
        // Arrange: one environment per thread, as workers use them.
        const int threads = 4;
        var actions = Episodes.RandomActions(17, 1000);
        var expected = new List<double[]>[threads];
        for (var t = 0; t < threads; t++)
        {
            using var env = new CartPoleSwingUpEnv(seed: 500 + t);
            expected[t] = Trajectory(env, actions);
        }

        // Act
        var actual = new List<double[]>[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            using var env = new CartPoleSwingUpEnv(seed: 500 + t);
            actual[t] = Trajectory(env, actions);
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        // Assert: separate native worlds share no state (Debian's Bullet is built without the profiler).
        for (var t = 0; t < threads; t++)
        {
            Assert.Equal(expected[t], actual[t]);
        }
    }
}

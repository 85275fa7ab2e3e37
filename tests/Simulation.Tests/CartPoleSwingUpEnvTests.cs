using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary>The gym contract of <see cref="CartPoleSwingUpEnv"/> and its handling of bad input.</summary>
public sealed class CartPoleSwingUpEnvTests
{
    [Fact]
    public void Reset_ExplicitOffset_StartsAtRestAtThatAngle()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 1);
        const double u = -0.0625;

        // Act
        var obs = env.Reset(u);

        // Assert: x = vx = θ̇ = 0, θ = 3.1415 + u (docs/env-spec.md §1 reset).
        Assert.Equal([0.0, 0.0, Math.Cos(3.1415 + u), Math.Sin(3.1415 + u), 0.0], obs);
        Assert.Equal(u, env.ThetaOffset);
        Assert.Equal(3.1415 + u, env.Theta);
        Assert.Equal(0, env.ElapsedSteps);
        Assert.False(env.IsTruncated);
        Assert.False(env.NeedsReset);
        Assert.Equal(obs, env.Observation.ToArray());
    }

    [Fact]
    public void Reset_Random_DrawsOffsetsInHalfOpenNoiseInterval()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 42);
        var offsets = new double[5000];

        // Act
        for (var i = 0; i < offsets.Length; i++)
        {
            env.Reset();
            offsets[i] = env.ThetaOffset;
        }

        // Assert: u ~ U[-0.1, 0.1) (docs/env-spec.md §1 reset step 4); 5000 draws cover the interval.
        Assert.All(offsets, u => Assert.True(u is >= -0.1 and < 0.1, $"u = {u}"));
        Assert.True(offsets.Min() < -0.099 && offsets.Max() > 0.099, "draws do not span the interval");
        Assert.InRange(offsets.Average(), -0.005, 0.005);
    }

    [Fact]
    public void Step_ThousandSteps_TruncatesExactlyAtStep1000AndNeverTerminates()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 3);
        env.Reset();
        var results = new List<StepResult>();

        // Act
        for (var i = 0; i < SwingUpConstants.MaxEpisodeSteps; i++)
        {
            results.Add(env.Step([0.5]));
        }

        // Assert (docs/env-spec.md §1 done, time limit)
        Assert.All(results, r => Assert.False(r.Terminated));
        Assert.Equal(Enumerable.Range(1, 1000), results.Select(r => r.StepIndex));
        Assert.All(results.Take(999), r => Assert.False(r.Truncated));
        Assert.True(results[^1].Truncated);
        Assert.True(env.IsTruncated);
        Assert.True(env.NeedsReset);
        Assert.Equal(1000, env.ElapsedSteps);
    }

    [Fact]
    public void Step_RewardOfEveryStep_IsCosineOfThetaInObservation()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 4);
        env.Reset();

        // Act / Assert (docs/env-spec.md §1 reward)
        foreach (var action in Episodes.RandomActions(4, 200))
        {
            var result = env.Step([action]);
            Assert.Equal(result.Observation[2], result.Reward);
            Assert.Equal(Math.Cos(env.Theta), result.Reward);
        }
    }

    [Fact]
    public void Step_AfterTruncation_ThrowsUntilReset()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 5);
        env.Reset();
        for (var i = 0; i < SwingUpConstants.MaxEpisodeSteps; i++)
        {
            env.Step([0.0]);
        }

        var finalObservation = env.Observation.ToArray();

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => env.Step([0.0]));

        // Assert: the message says why and what to do; the final observation is kept.
        Assert.Contains("truncated after 1000 steps", error.Message, StringComparison.Ordinal);
        Assert.Contains("Reset", error.Message, StringComparison.Ordinal);
        Assert.Equal(finalObservation, env.Observation.ToArray());
        env.Reset();
        Assert.Equal(1, env.Step([0.0]).StepIndex);
    }

    [Fact]
    public void Step_BeforeFirstReset_ThrowsInvalidOperation()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 6);

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => env.Step([0.0]));

        // Assert
        Assert.Contains("call Reset before Step", error.Message, StringComparison.Ordinal);
        Assert.True(env.NeedsReset);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Step_NonFiniteAction_ThrowsArgumentAndLeavesStateUnchanged(double action, string shown)
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 7);
        env.Reset();
        env.Step([0.2]);
        var before = env.Observation.ToArray();

        // Act
        var error = Assert.Throws<ArgumentException>(() => env.Step([action]));

        // Assert
        Assert.Equal("action", error.ParamName);
        Assert.Contains($"is {shown}", error.Message, StringComparison.Ordinal);
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, env.Observation.ToArray());
        Assert.Equal(1, env.ElapsedSteps);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Step_WrongActionLength_ThrowsArgument(int length)
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 8);
        env.Reset();

        // Act
        var error = Assert.Throws<ArgumentException>(() => env.Step(new double[length]));

        // Assert
        Assert.Equal("action", error.ParamName);
        Assert.Contains($"Expected 1 action value, got {length}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, env.ElapsedSteps);
    }

    [Theory]
    [InlineData(5.0, 1.0)]
    [InlineData(1.0000001, 1.0)]
    [InlineData(-3.0, -1.0)]
    public void Step_ActionOutsideRange_IsClippedToBound(double action, double bound)
    {
        // Arrange
        using var clipped = new CartPoleSwingUpEnv(seed: 0);
        using var atBound = new CartPoleSwingUpEnv(seed: 0);
        clipped.Reset(0.03);
        atBound.Reset(0.03);

        // Act
        var a = clipped.Step([action]);
        var b = atBound.Step([bound]);

        // Assert: identical physics (docs/env-spec.md §1: clip to [-1, 1], then 100 N per unit).
        Assert.Equal(b.Observation, a.Observation);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Reset_NonFiniteOffset_ThrowsArgumentOutOfRange(double offset)
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 9);

        // Act
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => env.Reset(offset));

        // Assert
        Assert.Equal("thetaOffset", error.ParamName);
        Assert.Contains("finite", error.Message, StringComparison.Ordinal);
        Assert.True(env.NeedsReset);
    }

    [Fact]
    public void AllMembers_AfterDispose_ThrowObjectDisposed()
    {
        // Arrange
        var env = new CartPoleSwingUpEnv(seed: 10);
        env.Reset();
        env.Dispose();
        var buffer = new double[5];

        // Act / Assert
        Assert.Throws<ObjectDisposedException>(() => env.Step([0.0]));
        Assert.Throws<ObjectDisposedException>(() => env.Step([0.0, 1.0]));
        Assert.Throws<ObjectDisposedException>(() => env.Step([0.0], buffer));
        Assert.Throws<ObjectDisposedException>(() => env.Reset());
        Assert.Throws<ObjectDisposedException>(() => env.Reset(0.0));
        Assert.Throws<ObjectDisposedException>(() => env.Reset(buffer));
        Assert.Throws<ObjectDisposedException>(() => env.Reset(new double[1]));
        Assert.Throws<ObjectDisposedException>(() => env.ElapsedSteps);
        Assert.Throws<ObjectDisposedException>(() => env.Theta);
        Assert.Throws<ObjectDisposedException>(() => env.Observation.ToArray());
        env.Dispose();
    }

    [Fact]
    public void SpanOverloads_SameSequence_MatchArrayOverloads()
    {
        // Arrange
        using var arrays = new CartPoleSwingUpEnv(seed: 11);
        using var spans = new CartPoleSwingUpEnv(seed: 11);
        var observation = new double[SwingUpConstants.ObservationSize];

        // Act / Assert
        var first = arrays.Reset();
        spans.Reset(observation);
        Assert.Equal(first, observation);
        foreach (var action in Episodes.RandomActions(11, 300))
        {
            var expected = arrays.Step([action]);
            var outcome = spans.Step([action], observation);
            Assert.Equal(expected.Observation, observation);
            Assert.Equal(new StepOutcome(expected.Reward, expected.Terminated, expected.Truncated, expected.StepIndex), outcome);
        }
    }

    [Fact]
    public void SpanOverloads_ShortObservationBuffer_ThrowArgument()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 12);
        env.Reset();

        // Act
        var error = Assert.Throws<ArgumentException>(() => env.Step([0.0], new double[4]));

        // Assert
        Assert.Equal("observation", error.ParamName);
        Assert.Equal(0, env.ElapsedSteps);
        Assert.Throws<ArgumentException>(() => env.Reset(new double[4]));
    }

    [Fact]
    public void SpanStep_SteadyState_AllocatesNothing()
    {
        // Arrange: warm up (JIT, native library load).
        using var env = new CartPoleSwingUpEnv(seed: 13);
        Span<double> observation = stackalloc double[SwingUpConstants.ObservationSize];
        Span<double> action = stackalloc double[1];
        env.Reset(observation);
        for (var i = 0; i < 50; i++)
        {
            env.Step(action, observation);
        }

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 500; i++)
        {
            action[0] = observation[3];
            env.Step(action, observation);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert: the trainer's hot path must not produce garbage.
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Observation_NonFiniteState_BecomesZero()
    {
        // Arrange: states the physics cannot produce, to check the spec's last-resort rule.
        double[] state = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        var observation = new double[5];

        // Act
        SwingUpSimulation.WriteObservation(state, observation);

        // Assert (docs/env-spec.md §1: each non-finite value is replaced by 0)
        Assert.Equal([0.0, 0.0, 0.0, 0.0, 0.0], observation);
    }
}

using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary><see cref="VectorSwingUpEnv"/>: K environments behave as K single environments.</summary>
public sealed class VectorSwingUpEnvTests
{
    private const int K = 4;
    private const int BaseSeed = 123;

    [Fact]
    public void Step_FullEpisode_MatchesKSingleEnvironmentsWithDerivedSeeds()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(K, BaseSeed);
        var singles = Enumerable.Range(0, K).Select(i => new CartPoleSwingUpEnv(VectorSwingUpEnv.DeriveSeed(BaseSeed, i))).ToArray();
        var actions = Enumerable.Range(0, K).Select(i => Episodes.RandomActions(1000 + i, 1000)).ToArray();
        var rewards = new double[K];
        var truncated = new bool[K];
        var stepActions = new double[K];
        try
        {
            vector.ResetAll();
            for (var i = 0; i < K; i++)
            {
                Assert.Equal(singles[i].Reset(), vector.GetObservation(i).ToArray());
            }

            // Act / Assert: bit-identical observations, rewards and truncation flags at every step.
            for (var n = 0; n < SwingUpConstants.MaxEpisodeSteps; n++)
            {
                for (var i = 0; i < K; i++)
                {
                    stepActions[i] = actions[i][n];
                }

                vector.Step(stepActions, rewards, truncated);
                for (var i = 0; i < K; i++)
                {
                    var expected = singles[i].Step([actions[i][n]]);
                    Assert.Equal(expected.Observation, vector.GetObservation(i).ToArray());
                    Assert.Equal(expected.Reward, rewards[i]);
                    Assert.Equal(expected.Truncated, truncated[i]);
                }
            }

            Assert.All(truncated, Assert.True);
        }
        finally
        {
            foreach (var env in singles)
            {
                env.Dispose();
            }
        }
    }

    [Fact]
    public void SingleEnvironmentVector_SameSeed_MatchesCartPoleSwingUpEnv()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv([77]);
        using var single = new CartPoleSwingUpEnv(77);
        var rewards = new double[1];
        var truncated = new bool[1];

        // Act
        vector.Reset(0);
        var first = single.Reset();

        // Assert
        Assert.Equal(first, vector.Observations.ToArray());
        foreach (var action in Episodes.RandomActions(77, 100))
        {
            vector.Step([action], rewards, truncated);
            Assert.Equal(single.Step([action]).Observation, vector.Observations.ToArray());
        }
    }

    [Fact]
    public void Observations_Layout_IsRowMajorKByFive()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(3, BaseSeed);

        // Act
        vector.ResetAll();
        vector.Step([0.5, -0.5, 1.0], new double[3], new bool[3]);

        // Assert
        Assert.Equal(15, vector.Observations.Length);
        Assert.Equal(vector.Observations.ToArray(), vector.ObservationMemory.ToArray());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(vector.Observations.Slice(5 * i, 5).ToArray(), vector.GetObservation(i).ToArray());
            Assert.Equal(Math.Cos(vector.GetTheta(i)), vector.GetObservation(i)[2]);
        }
    }

    [Fact]
    public void CopyObservationsTo_FloatBuffer_WritesFloat32OfEveryValue()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(3, BaseSeed);
        vector.ResetAll();
        vector.Step([1.0, 0.0, -1.0], new double[3], new bool[3]);
        var destination = new float[16];
        destination[15] = 42f;

        // Act
        vector.CopyObservationsTo(destination);

        // Assert: the first 15 are the float32 values; anything after is untouched.
        Assert.Equal(vector.Observations.ToArray().Select(v => (float)v), destination.Take(15));
        Assert.Equal(42f, destination[15]);
        var error = Assert.Throws<ArgumentException>(() => vector.CopyObservationsTo(new float[14]));
        Assert.Equal("destination", error.ParamName);
    }

    [Fact]
    public void Step_AfterTruncation_KeepsFinalObservationAndRequiresReset()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(2, BaseSeed);
        var rewards = new double[2];
        var truncated = new bool[2];
        vector.ResetAll();
        for (var n = 0; n < SwingUpConstants.MaxEpisodeSteps; n++)
        {
            vector.Step([0.3, -0.3], rewards, truncated);
        }

        var final = vector.Observations.ToArray();

        // Act: no auto-reset, so the next step is refused until every environment is reset.
        var error = Assert.Throws<InvalidOperationException>(() => vector.Step([0.0, 0.0], rewards, truncated));
        vector.Reset(1);
        var stillTruncated = Assert.Throws<InvalidOperationException>(() => vector.Step([0.0, 0.0], rewards, truncated));

        // Assert
        Assert.Contains("Environment [0] of 2 was truncated after 1000 steps", error.Message, StringComparison.Ordinal);
        Assert.Contains("Environment [0] of 2", stillTruncated.Message, StringComparison.Ordinal);
        Assert.True(vector.IsTruncated(0));
        Assert.False(vector.IsTruncated(1));
        Assert.Equal(final.AsSpan(0, 5).ToArray(), vector.GetObservation(0).ToArray());
        Assert.Equal(1000, vector.GetElapsedSteps(0));
        vector.Reset(0);
        vector.Step([0.0, 0.0], rewards, truncated);
        Assert.Equal(1, vector.GetElapsedSteps(0));
        Assert.Equal(1, vector.GetElapsedSteps(1));
    }

    [Fact]
    public void Step_EnvironmentsResetAtDifferentTimes_TruncateOnTheirOwnStep1000()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(2, BaseSeed);
        var rewards = new double[2];
        var truncated = new bool[2];
        vector.ResetAll();
        for (var n = 0; n < 400; n++)
        {
            vector.Step([0.0, 0.0], rewards, truncated);
        }

        vector.Reset(1);

        // Act
        for (var n = 0; n < 600; n++)
        {
            vector.Step([0.0, 0.0], rewards, truncated);
        }

        // Assert
        Assert.Equal([true, false], truncated);
        Assert.Equal(1000, vector.GetElapsedSteps(0));
        Assert.Equal(600, vector.GetElapsedSteps(1));
        Assert.True(vector.NeedsReset(0));
        Assert.False(vector.NeedsReset(1));
    }

    [Fact]
    public void Step_OneNonFiniteAction_ThrowsAndChangesNoEnvironment()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(3, BaseSeed);
        vector.ResetAll();
        vector.Step([0.1, 0.2, 0.3], new double[3], new bool[3]);
        var before = vector.Observations.ToArray();

        // Act
        var error = Assert.Throws<ArgumentException>(() => vector.Step([0.1, double.NaN, 0.3], new double[3], new bool[3]));

        // Assert
        Assert.Equal("actions", error.ParamName);
        Assert.Contains("Action [1] of 3 is NaN", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, vector.Observations.ToArray());
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(1, vector.GetElapsedSteps(i)));
    }

    [Theory]
    [InlineData(2, 3, 3, "actions")]
    [InlineData(3, 2, 3, "rewards")]
    [InlineData(3, 3, 4, "truncated")]
    public void Step_WrongSpanLength_ThrowsArgument(int actions, int rewards, int truncated, string parameter)
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(3, BaseSeed);
        vector.ResetAll();

        // Act
        var error = Assert.Throws<ArgumentException>(() => vector.Step(new double[actions], new double[rewards], new bool[truncated]));

        // Assert
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains("Expected 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_EnvironmentNeverReset_ThrowsInvalidOperation()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(2, BaseSeed);
        vector.Reset(0);

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => vector.Step([0.0, 0.0], new double[2], new bool[2]));

        // Assert
        Assert.Contains("Environment [1] of 2 has no running episode", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, vector.GetElapsedSteps(0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(VectorSwingUpEnv.MaxCount + 1)]
    public void Constructor_CountOutOfRange_ThrowsArgumentOutOfRange(int count)
    {
        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorSwingUpEnv(count, BaseSeed));
    }

    [Fact]
    public void Constructor_NoSeeds_ThrowsArgument()
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => new VectorSwingUpEnv(Array.Empty<int>()));

        // Assert
        Assert.Equal("seeds", error.ParamName);
    }

    [Fact]
    public void Reset_IndexOutOfRange_ThrowsArgumentOutOfRange()
    {
        // Arrange
        using var vector = new VectorSwingUpEnv(2, BaseSeed);

        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => vector.Reset(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => vector.Reset(-1, 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => vector.Reset(0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => vector.GetObservation(2).ToArray());
    }

    [Fact]
    public void DeriveSeed_ManyIndices_IsStableNonNegativeAndDistinct()
    {
        // Act
        var seeds = Enumerable.Range(0, 10_000).Select(i => VectorSwingUpEnv.DeriveSeed(BaseSeed, i)).ToArray();
        var otherBase = Enumerable.Range(0, 10_000).Select(i => VectorSwingUpEnv.DeriveSeed(BaseSeed + 1, i)).ToArray();

        using var vector = new VectorSwingUpEnv(K, BaseSeed);

        // Assert
        Assert.All(seeds, s => Assert.True(s >= 0));
        Assert.Equal(seeds.Length, seeds.Distinct().Count());
        Assert.All(Enumerable.Range(0, seeds.Length), i => Assert.NotEqual(seeds[i], otherBase[i]));
        Assert.Equal(seeds, Enumerable.Range(0, 10_000).Select(i => VectorSwingUpEnv.DeriveSeed(BaseSeed, i)));
        Assert.Equal(seeds.Take(K), vector.Seeds);
    }

    [Fact]
    public void AllMembers_AfterDispose_ThrowObjectDisposed()
    {
        // Arrange
        var vector = new VectorSwingUpEnv(2, BaseSeed);
        vector.ResetAll();
        vector.Dispose();

        // Act / Assert
        Assert.Throws<ObjectDisposedException>(() => vector.Step([0.0, 0.0], new double[2], new bool[2]));
        Assert.Throws<ObjectDisposedException>(vector.ResetAll);
        Assert.Throws<ObjectDisposedException>(() => vector.Observations.ToArray());
        Assert.Throws<ObjectDisposedException>(() => vector.CopyObservationsTo(new float[10]));
        Assert.Throws<ObjectDisposedException>(() => vector.GetElapsedSteps(0));
        vector.Dispose();
    }
}

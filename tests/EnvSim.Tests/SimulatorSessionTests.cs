using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.EnvSim.Tests.TestSupport;
using A3cGrpc.Simulation;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>
/// A session through the real service (test server) and <see cref="SimulatorSession"/> equals a local
/// <see cref="VectorSwingUpEnv"/> given the same seeds and actions, bit for bit in float.
/// </summary>
public sealed class SimulatorSessionTests : IDisposable
{
    private const int ObservationSize = SwingUpConstants.ObservationSize;

    private readonly SimulatorHost _host = new();

    [Theory]
    [InlineData(1, 3)]
    [InlineData(16, 42)]
    public async Task StepAsync_SameSeedsAndActions_EqualsLocalEnvironmentsThroughTruncation(int count, int baseSeed)
    {
        // Arrange: past the 1000-step time limit, so every environment is truncated once and starts again.
        const int steps = SwingUpConstants.MaxEpisodeSteps + 5;
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        using var reference = new ReferenceEnvironments(count, baseSeed);
        var actions = ReferenceEnvironments.RandomActions(count, steps, seed: baseSeed + 1);
        await using var session = await SimulatorSession.OpenAsync(_host.Client, count, baseSeed, SimulatorHost.HangGuard, cancellation.Token);
        Assert.Equal(reference.Observations, session.Observations.ToArray());
        Assert.Equal(0, session.Step);

        for (var n = 0; n < steps; n++)
        {
            // Act
            reference.Step(actions[n]);
            await session.StepAsync(actions[n], default, endsRollout: false, cancellation.Token);

            // Assert
            Assert.Equal(n + 1, session.Step);
            Assert.Equal(reference.Observations, session.Observations.ToArray());
            Assert.Equal(reference.Rewards, session.Rewards.ToArray());
            Assert.Equal(reference.Truncated, session.Truncated.ToArray());
            Assert.Equal(n + 1 == SwingUpConstants.MaxEpisodeSteps, session.Truncated.ToArray().All(t => t));
            for (var env = 0; env < count; env++)
            {
                var expectedNext = reference.Truncated[env]
                    ? reference.FinalObservations.AsSpan(env * ObservationSize, ObservationSize)
                    : reference.Observations.AsSpan(env * ObservationSize, ObservationSize);
                Assert.Equal(expectedNext.ToArray(), session.NextStateOf(env).ToArray());
            }
        }
    }

    [Fact]
    public async Task StepAsync_AtTheTimeLimit_GivesTheFinalObservationAndAFreshStart()
    {
        // Arrange
        const int count = 3;
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        var zero = new float[count];
        await using var session = await SimulatorSession.OpenAsync(_host.Client, count, 9, SimulatorHost.HangGuard, cancellation.Token);
        using var fresh = new VectorSwingUpEnv(count, 9);
        fresh.ResetAll();
        for (var n = 1; n < SwingUpConstants.MaxEpisodeSteps; n++)
        {
            await session.StepAsync(zero, default, endsRollout: false, cancellation.Token);
        }


        // Act: the 1000th step.
        await session.StepAsync(zero, default, endsRollout: false, cancellation.Token);

        // Assert: each environment's next state is where its episode ended (not a reset state), and its observation
        // row is the second episode's first observation: the next draw of its own generator.
        Assert.All(session.Truncated.ToArray(), Assert.True);
        for (var env = 0; env < count; env++)
        {
            var final = session.NextStateOf(env).ToArray();
            Assert.NotEqual(session.Observations.Slice(env * ObservationSize, ObservationSize).ToArray(), final);
            fresh.Reset(env); // the reference's second reset of environment env
            var secondStart = fresh.GetObservation(env).ToArray().Select(v => (float)v).ToArray();
            Assert.Equal(secondStart, session.Observations.Slice(env * ObservationSize, ObservationSize).ToArray());
        }
    }

    [Fact]
    public async Task ResetAsync_NewBaseSeed_EqualsFreshEnvironmentsAndKeepsTheStepCounter()
    {
        // Arrange
        const int count = 4;
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        await using var session = await SimulatorSession.OpenAsync(_host.Client, count, 1, SimulatorHost.HangGuard, cancellation.Token);
        var actions = ReferenceEnvironments.RandomActions(count, 5, seed: 2);
        foreach (var row in actions)
        {
            await session.StepAsync(row, default, endsRollout: false, cancellation.Token);
        }

        // Act
        await session.ResetAsync(77, cancellation.Token);

        // Assert
        using var reference = new ReferenceEnvironments(count, 77);
        Assert.Equal(reference.Observations, session.Observations.ToArray());
        Assert.All(session.Rewards.ToArray(), r => Assert.Equal(0f, r));
        Assert.All(session.Truncated.ToArray(), Assert.False);
        Assert.Equal(5, session.Step);
        foreach (var row in actions)
        {
            reference.Step(row);
            await session.StepAsync(row, default, endsRollout: false, cancellation.Token);
            Assert.Equal(reference.Observations, session.Observations.ToArray());
        }

        Assert.Equal(10, session.Step);
    }

    [Fact]
    public async Task OpenAsync_Always_TakesSizesFromTheSimulatorsDescription()
    {
        // Arrange
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);

        // Act
        await using var session = await SimulatorSession.OpenAsync(_host.Client, 2, 5, SimulatorHost.HangGuard, cancellation.Token);

        // Assert
        Assert.Equal(2, session.Count);
        Assert.Equal(SwingUpConstants.ObservationSize, session.ObservationSize);
        Assert.Equal(SwingUpConstants.ActionSize, session.ActionSize);
        Assert.Equal(2 * SwingUpConstants.ObservationSize, session.Observations.Length);
    }

    [Fact]
    public async Task StepAsync_BadActions_ThrowsArgumentExceptionAndTheSessionStillWorks()
    {
        // Arrange
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        await using var session = await SimulatorSession.OpenAsync(_host.Client, 2, 5, SimulatorHost.HangGuard, cancellation.Token);
        using var reference = new ReferenceEnvironments(2, 5);

        // Act / Assert: refused before sending.
        var tooFew = await Assert.ThrowsAsync<ArgumentException>(() => session.StepAsync(new float[1], default, false, cancellation.Token));
        Assert.Contains("Expected 2 actions", tooFew.Message, StringComparison.Ordinal);
        var notFinite = await Assert.ThrowsAsync<ArgumentException>(() => session.StepAsync(new[] { 0f, float.NaN }, default, false, cancellation.Token));
        Assert.Contains("finite", notFinite.Message, StringComparison.Ordinal);

        reference.Step([0.5f, -0.5f]);
        await session.StepAsync(new[] { 0.5f, -0.5f }, default, false, cancellation.Token);
        Assert.Equal(reference.Observations, session.Observations.ToArray());
        Assert.Equal(1, session.Step);
    }

    public void Dispose() => _host.Dispose();
}

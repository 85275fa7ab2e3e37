using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.EnvSim.Tests.TestSupport;
using Grpc.Core;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>
/// <see cref="SimulatorSession"/> checks what a simulator returns: a malformed reply or a stream that ends early is an
/// <see cref="RpcException"/> (Internal, Unavailable), and the session stays broken afterwards.
/// </summary>
public sealed class SimulatorSessionDefenceTests
{
    [Fact]
    public async Task OpenAsync_TooFewObservations_ThrowsInternalNamingTheCounts()
    {
        var (app, client) = await MisbehavingSimulator.StartAsync(ReplyDefect.ShortObservations);
        await using var _ = app;
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);

        var error = await Assert.ThrowsAsync<RpcException>(() => SimulatorSession.OpenAsync(client, 3, 1, SimulatorHost.HangGuard, cancellation.Token));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("14 observation values, expected 15", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ReplyDefect.MissingReward, StatusCode.Internal, "2 rewards, expected 3")]
    [InlineData(ReplyDefect.MissingFinalObservation, StatusCode.Internal, "0 final observation values for 1 truncated environments, expected 5")]
    [InlineData(ReplyDefect.SkippedStepCounter, StatusCode.Internal, "step counter 2, expected 1")]
    [InlineData(ReplyDefect.EndsStreamInsteadOfReplying, StatusCode.Unavailable, "ended the session without a reply")]
    public async Task StepAsync_BadReply_ThrowsRpcExceptionAndStaysBroken(ReplyDefect defect, StatusCode expected, string message)
    {
        // Arrange
        var (app, client) = await MisbehavingSimulator.StartAsync(defect);
        await using var _ = app;
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        await using var session = await SimulatorSession.OpenAsync(client, 3, 1, SimulatorHost.HangGuard, cancellation.Token);

        // Act
        var error = await Assert.ThrowsAsync<RpcException>(() => session.StepAsync(new float[3], default, false, cancellation.Token));
        var again = await Assert.ThrowsAsync<RpcException>(() => session.StepAsync(new float[3], default, false, cancellation.Token));

        // Assert
        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(expected, again.StatusCode);
        Assert.Equal(0, session.Step);
    }
}

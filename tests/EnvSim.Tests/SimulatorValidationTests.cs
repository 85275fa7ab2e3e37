using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.EnvSim.Tests.TestSupport;
using Grpc.Core;
using static A3cGrpc.EnvSim.Tests.TestSupport.Commands;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>
/// Each invalid command ends its session with the documented status and a message naming the problem; the simulator
/// keeps serving new sessions afterwards.
/// </summary>
public sealed class SimulatorValidationTests : IDisposable
{
    private const int MaxEnvironments = 8;
    private const int MaxSessions = 2;

    private readonly SimulatorHost _host = new(MaxEnvironments, MaxSessions);

    public static TheoryData<string, float[]> BadActions => new()
    {
        { "too few", [0.1f, 0.2f, 0.3f] },
        { "too many", [0.1f, 0.2f, 0.3f, 0.4f, 0.5f] },
        { "none", [] },
    };

    [Fact]
    public async Task Run_StepBeforeReset_FailsPreconditionNamingReset()
    {
        var error = await RejectedAsync(Step(0f));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("reset", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync();
    }

    [Theory]
    [MemberData(nameof(BadActions))]
    public async Task Run_WrongActionCount_IsInvalidArgumentNamingBothCounts(string label, float[] actions)
    {
        Assert.NotEmpty(label);
        var error = await RejectedAsync(Reset(4), Step(actions));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"step.actions has {actions.Length} values", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("needs 4", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync();
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public async Task Run_NonFiniteAction_IsInvalidArgumentNamingTheAction(float bad, string shown)
    {
        var error = await RejectedAsync(Reset(3), Step(0f, 0f, 0f), Step(0.5f, bad, 0f));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"step.actions[1] (environment 1) is {shown}", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("finite", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync();
    }

    [Fact]
    public async Task Run_EmptyCommand_IsInvalidArgumentNamingTheOneof()
    {
        var error = await RejectedAsync(Reset(2), new SimulatorCommand());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("empty", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("'reset' or 'step'", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task Run_CountBelowOne_IsInvalidArgumentNamingTheCount(int count)
    {
        var error = await RejectedAsync(Reset(count));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"reset.count must be at least 1, got {count}", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync();
    }

    [Fact]
    public async Task Run_CountAboveMaxEnvironments_IsResourceExhaustedNamingTheLimit()
    {
        var error = await RejectedAsync(Reset(MaxEnvironments + 1));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains($"reset.count {MaxEnvironments + 1} exceeds", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("MaxEnvironments", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync(MaxEnvironments);
    }

    [Fact]
    public async Task Run_LaterResetWithAnotherCount_IsInvalidArgumentNamingBothCounts()
    {
        var error = await RejectedAsync(Reset(3), Step(0f, 0f, 0f), Reset(5));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("reset.count 5 differs from this session's 3 environments", error.Status.Detail, StringComparison.Ordinal);
        await AssertNewSessionWorksAsync();
    }

    [Fact]
    public async Task Run_MoreSessionsThanMaxSessions_IsResourceExhaustedUntilOneEnds()
    {
        // Arrange: every slot taken.
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        var open = new List<SimulatorSession>();
        for (var i = 0; i < MaxSessions; i++)
        {
            open.Add(await SimulatorSession.OpenAsync(_host.Client, 1, i, SimulatorHost.HangGuard, cancellation.Token));
        }

        // Act
        var error = await RejectedAsync(Reset(1));

        // Assert
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains($"already serves {MaxSessions} sessions", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("MaxSessions", error.Status.Detail, StringComparison.Ordinal);
        await open[0].StepAsync(new float[1], default, false, cancellation.Token); // the open ones still work

        await open[0].DisposeAsync();
        await AssertNewSessionWorksAsync();
        foreach (var session in open)
        {
            await session.DisposeAsync();
        }
    }

    [Fact]
    public async Task OpenAsync_ServerRejectsTheReset_ThrowsRpcExceptionWithTheServersStatus()
    {
        // Arrange
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);

        // Act
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            SimulatorSession.OpenAsync(_host.Client, MaxEnvironments + 1, 1, SimulatorHost.HangGuard, cancellation.Token));

        // Assert
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("MaxEnvironments", error.Status.Detail, StringComparison.Ordinal);
    }

    public void Dispose() => _host.Dispose();

    /// <summary>Sends the commands on one stream: all but the last must be answered, the last must end the call.</summary>
    private async Task<RpcException> RejectedAsync(params SimulatorCommand[] commands)
    {
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        using var call = _host.Client.Run(cancellationToken: cancellation.Token);
        for (var i = 0; i < commands.Length - 1; i++)
        {
            await call.RequestStream.WriteAsync(commands[i], cancellation.Token);
            Assert.True(await call.ResponseStream.MoveNext(cancellation.Token));
        }

        // A session refused outright (no free slot) may already be over when the command is written: the write then
        // fails with whatever the transport saw (CANCELLED, seen in CI), and the server's status is the response's.
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            try
            {
                await call.RequestStream.WriteAsync(commands[^1], cancellation.Token);
            }
            catch (RpcException) when (!cancellation.IsCancellationRequested)
            {
                // Read the call's own status below.
            }

            await call.ResponseStream.MoveNext(cancellation.Token);
        });
    }

    private async Task AssertNewSessionWorksAsync(int count = 2)
    {
        using var cancellation = new CancellationTokenSource(SimulatorHost.HangGuard);
        await using var session = await SimulatorSession.OpenAsync(_host.Client, count, 3, SimulatorHost.HangGuard, cancellation.Token);
        await session.StepAsync(new float[count], default, false, cancellation.Token);
        Assert.Equal(1, session.Step);
        Assert.Equal(count, session.Rewards.Length);
    }
}

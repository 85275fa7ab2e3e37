using A3cGrpc.Contracts.V1;
using A3cGrpc.EnvSim.Sessions;
using A3cGrpc.EnvSim.Tests.TestSupport;
using Grpc.Core;
using static A3cGrpc.EnvSim.Tests.TestSupport.Commands;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>
/// <see cref="EnvironmentSession"/> called directly: a rejected command leaves the environments exactly as they were
/// (the next valid step equals a reference that never saw the rejected command).
/// </summary>
public sealed class EnvironmentSessionTests
{
    private const int Count = 4;
    private const int MaxEnvironments = 16;

    public static TheoryData<string, StatusCode> RejectedCommands => new()
    {
        { "wrong action count", StatusCode.InvalidArgument },
        { "NaN action", StatusCode.InvalidArgument },
        { "infinite action", StatusCode.InvalidArgument },
        { "empty command", StatusCode.InvalidArgument },
        { "zero count", StatusCode.InvalidArgument },
        { "other count", StatusCode.InvalidArgument },
        { "count above the limit", StatusCode.ResourceExhausted },
    };

    [Theory]
    [MemberData(nameof(RejectedCommands))]
    public void Handle_RejectedCommand_LeavesTheEnvironmentsUnchanged(string rejected, StatusCode expected)
    {
        // Arrange: a session 10 steps in, and a reference at the same point.
        using var session = new EnvironmentSession(MaxEnvironments);
        using var reference = new ReferenceEnvironments(Count, 21);
        var actions = ReferenceEnvironments.RandomActions(Count, 11, seed: 22);
        session.Handle(Reset(Count, 21));
        for (var n = 0; n < 10; n++)
        {
            session.Handle(Step(actions[n]));
            reference.Step(actions[n]);
        }

        // Act
        var error = Assert.Throws<RpcException>(() => session.Handle(Command(rejected)));

        // Assert
        Assert.Equal(expected, error.StatusCode);
        Assert.Equal(10, session.Steps);
        reference.Step(actions[10]);
        var reply = session.Handle(Step(actions[10]));
        Assert.Equal(reference.Observations, reply.Observations.ToArray());
        Assert.Equal(reference.Rewards, reply.Rewards.ToArray());
        Assert.Equal(11, reply.Step);
    }

    [Fact]
    public void Handle_StepBeforeReset_FailsPreconditionAndAResetStillWorks()
    {
        using var session = new EnvironmentSession(MaxEnvironments);

        var error = Assert.Throws<RpcException>(() => session.Handle(Step(0f)));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(0, session.Count);
        using var reference = new ReferenceEnvironments(1, 5);
        Assert.Equal(reference.Observations, session.Handle(Reset(1, 5)).Observations.ToArray());
    }

    [Fact]
    public void Handle_Reset_RepliesWithObservationsOnly()
    {
        using var session = new EnvironmentSession(MaxEnvironments);

        var reply = session.Handle(Reset(Count, 8));

        Assert.Equal(Count * 5, reply.Observations.Count);
        Assert.Empty(reply.Rewards);
        Assert.Empty(reply.Truncated);
        Assert.Empty(reply.FinalObservations);
        Assert.Equal(0, reply.Step);
    }

    private static SimulatorCommand Command(string rejected) => rejected switch
    {
        "wrong action count" => Step(0f, 0f),
        "NaN action" => Step(0f, 0f, float.NaN, 0f),
        "infinite action" => Step(float.PositiveInfinity, 0f, 0f, 0f),
        "empty command" => new SimulatorCommand(),
        "zero count" => Reset(0, 1),
        "other count" => Reset(Count + 1, 21),
        "count above the limit" => Reset(MaxEnvironments + 1, 21),
        _ => throw new ArgumentOutOfRangeException(nameof(rejected), rejected, "Unknown case."),
    };
}

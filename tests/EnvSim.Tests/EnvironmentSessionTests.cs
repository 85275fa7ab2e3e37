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

    [Fact]
    public void Step_StaggeredEpisodes_CutsEachFirstEpisodeAtItsShareOfTheTimeLimitThenRunsWholeEpisodes()
    {
        // K = 4: first episodes end after 250, 500, 750 and 1000 steps; then every episode lasts 1000 steps.
        using var session = new EnvironmentSession(MaxEnvironments);
        session.Handle(new SimulatorCommand { Reset = new ResetCommand { Count = Count, BaseSeed = 3, StaggerEpisodes = true } });
        var ends = Enumerable.Range(0, Count).Select(_ => new List<long>()).ToArray();
        var finals = 0;
        var zero = new float[Count];

        for (var n = 0; n < 2600; n++)
        {
            var reply = session.Handle(Step(zero));
            for (var i = 0; i < Count; i++)
            {
                if (reply.Truncated[i])
                {
                    ends[i].Add(reply.Step);
                }
            }

            finals += reply.FinalObservations.Count;
        }

        Assert.Equal([250L, 1250L, 2250L], ends[0]);
        Assert.Equal([500L, 1500L, 2500L], ends[1]);
        Assert.Equal([750L, 1750L], ends[2]);
        Assert.Equal([1000L, 2000L], ends[3]);
        Assert.Equal(10 * 5, finals); // a final observation for every ended episode
    }

    [Fact]
    public void Step_NotStaggered_EveryEnvironmentEndsAtTheTimeLimitTogether()
    {
        using var session = new EnvironmentSession(MaxEnvironments);
        session.Handle(Reset(Count, 3));
        var zero = new float[Count];

        var truncations = Enumerable.Range(0, 1000).Select(_ => session.Handle(Step(zero)).Truncated.Count(t => t)).ToArray();

        Assert.Equal(Count, truncations[^1]);
        Assert.All(truncations[..^1], t => Assert.Equal(0, t));
    }
}

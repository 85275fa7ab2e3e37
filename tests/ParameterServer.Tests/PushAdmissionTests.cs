using A3cGrpc.Distributed.Options;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;

namespace A3cGrpc.ParameterServer.Tests;

/// <summary>The admission of pushes on its own: every refusal, in its order, and what an admitted push will make.</summary>
public sealed class PushAdmissionTests
{
    private static readonly ModelTotals _current = new(Version: 10, EnvironmentSteps: 1000, Updates: 9, Episodes: 3);

    [Fact]
    public void Admit_FreshPush_GivesTheNextCountersAndItsStaleness()
    {
        var admission = Admission();

        var decision = admission.Admit(Command("u1", baseVersion: 7, steps: 64, episodes: 2), _current, closed: false, finishedReason: null);

        Assert.True(decision.Admitted);
        Assert.Equal(new ModelTotals(11, 1064, 10, 5), decision.Next);
        Assert.Equal(3, decision.Staleness);
    }

    [Fact]
    public void Admit_RememberedUpdateId_IsADuplicateWithItsFirstAnswer_EvenAfterShutdownAndFinish()
    {
        var admission = Admission();
        var command = Command("u1", baseVersion: 9);
        admission.Remember(command, version: 10, staleness: 1);

        var decision = admission.Admit(command, _current with { Version = 15 }, closed: true, finishedReason: "solved");

        Assert.False(decision.Admitted);
        Assert.Equal(PushResult.Duplicate, decision.Refusal!.Result);
        Assert.Equal(10, decision.Refusal.Version);
        Assert.Equal(1, decision.Refusal.Staleness);
        Assert.True(admission.Admit(command with { WorkerId = "worker-2" }, _current, false, null).Admitted);
    }

    [Theory]
    [InlineData(true, null, 10, PushResult.ShuttingDown, "shutting down")]
    [InlineData(false, "step budget", 10, PushResult.Finished, "training finished: step budget")]
    [InlineData(false, null, 11, PushResult.UnknownVersion, "unknown version 11")]
    [InlineData(false, null, 5, PushResult.TooStale, "5 versions behind the current 10 (at most 4 allowed)")]
    public void Admit_Refusals_AreWordedAndChangeNothing(bool closed, string? finished, long baseVersion, PushResult expected, string message)
    {
        var admission = Admission(new ParameterServerOptions { MaxStaleness = 4 });

        var decision = admission.Admit(Command("u1", baseVersion), _current, closed, finished);

        Assert.False(decision.Admitted);
        Assert.Equal(expected, decision.Refusal!.Result);
        Assert.Equal(_current.Version, decision.Refusal.Version);
        Assert.Same(_current, decision.Refusal.Totals);
        Assert.Contains(message, decision.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(expected == PushResult.TooStale ? 1 : 0, admission.RefusedStalePushes);
    }

    [Fact]
    public void Admit_AtTheStalenessBound_IsAdmitted()
    {
        var admission = Admission(new ParameterServerOptions { MaxStaleness = 4 });

        Assert.True(admission.Admit(Command("u1", baseVersion: 6), _current, false, null).Admitted);
    }

    [Fact]
    public void Admit_StepsThatOverflowTheCounter_IsRefused()
    {
        var admission = Admission();

        var decision = admission.Admit(Command("u1", 10, steps: long.MaxValue), _current, false, null);

        Assert.Equal(PushResult.CounterOverflow, decision.Refusal!.Result);
    }

    [Theory]
    [InlineData(1e7f, 1e6, true)]
    [InlineData(10f, 1e6, false)]
    [InlineData(1e7f, 0, false)]
    [InlineData(float.NaN, 0, true)]
    public void CheckGradientNorm_RefusesNormsBeyondTheBoundAndNonFinite_AndCountsThem(float value, double bound, bool refused)
    {
        var admission = Admission(new ParameterServerOptions { MaxPushGradientNorm = bound });

        var refusal = admission.CheckGradientNorm(Command("u1", 10, gradient: value), _current);

        Assert.Equal(refused, refusal is not null);
        Assert.Equal(refused ? 1 : 0, admission.RefusedUnsafePushes);
        if (refusal is not null)
        {
            Assert.Equal(PushResult.Unsafe, refusal.Result);
            Assert.Contains("MaxPushGradientNorm", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ExhaustedBudget_NamesTheStepBudgetFirst_ThenTime_AndNothingWhenOff()
    {
        var both = Admission(new ParameterServerOptions { StopAtEnvironmentSteps = 1000, StopAtElapsedSeconds = 60 });
        var off = Admission();

        Assert.Equal(FinishReasons.StepBudget, both.ExhaustedBudget(_current, elapsedSeconds: 61));
        Assert.Equal(FinishReasons.TimeBudget, both.ExhaustedBudget(_current with { EnvironmentSteps = 999 }, 60));
        Assert.Null(both.ExhaustedBudget(_current with { EnvironmentSteps = 999 }, 59.9));
        Assert.Null(off.ExhaustedBudget(_current with { EnvironmentSteps = long.MaxValue }, double.MaxValue));
    }

    [Fact]
    public void Ledger_ResumedFromACheckpoint_ForgetsUpdatesNewerThanTheCheckpointsVersion_AndKeepsTheCounts()
    {
        WorkerUpdates[] saved = [new("worker-1", [new("old", 9, 0), new("newer", 12, 0)])];

        var admission = new PushAdmission(new ParameterServerOptions(), saved, version: 10, refusedStale: 4, refusedUnsafe: 2);

        Assert.Equal(PushResult.Duplicate, admission.Admit(Command("old", 9), _current, false, null).Refusal!.Result);
        Assert.True(admission.Admit(Command("newer", 9), _current, false, null).Admitted);
        Assert.Equal(4, admission.RefusedStalePushes);
        Assert.Equal(2, admission.RefusedUnsafePushes);
        Assert.Equal(["old"], admission.ExportLedger().Single().Updates.Select(u => u.UpdateId));
    }

    private static PushAdmission Admission(ParameterServerOptions? options = null) =>
        new(options ?? new ParameterServerOptions(), [], version: 0, refusedStale: 0, refusedUnsafe: 0);

    private static PushCommand Command(string updateId, long baseVersion, long steps = 8, int episodes = 0, float gradient = 0.1f) =>
        new(
            "worker-1", updateId, baseVersion,
            new NamedTensors([new NamedTensor("w", [2], [gradient, gradient])]),
            steps, [.. Enumerable.Repeat(-100.0, episodes)], ReturnWeights: false);
}

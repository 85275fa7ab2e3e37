using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Telemetry;
using A3cGrpc.WorkerService.Tests.Fakes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using static A3cGrpc.WorkerService.Tests.Fakes.Testbed;
using NamedTensor = A3cGrpc.Learning.NamedTensor;

namespace A3cGrpc.WorkerService.Tests;

/// <summary>One update of a worker (<see cref="UpdateStep"/>) against an in-memory parameter server and simulator.</summary>
public sealed class UpdateStepTests
{
    [Fact]
    public async Task RunAsync_ServerAccepts_PushesGradientsOfThePulledVersion()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);

        var outcome = await step.RunAsync(session, CancellationToken.None);

        Assert.Equal(UpdateOutcome.Applied, outcome);
        var push = Assert.Single(testbed.Server.Applied);
        Assert.Equal(Testbed.WorkerId, push.WorkerId);
        Assert.Equal($"{Testbed.WorkerId}-{step.Incarnation}-1", push.UpdateId);
        Assert.Matches("^[0-9a-f]{8}$", step.Incarnation);
        Assert.Equal(Testbed.ServerVersion, push.BaseVersion);
        Assert.Equal(Testbed.ServerVersion, push.Gradients.Version);
        Assert.Equal(NSteps * Environments, push.Statistics.EnvironmentSteps);
        Assert.Equal(Environments, push.Statistics.Environments);
        Assert.Equal([false, false, false, true], session.EndsRollout);
        Assert.NotNull(push.Observed);
        Assert.Equal(NSteps * Environments, push.Observed.Count);
        Assert.Equal(1, step.Updates);
        Assert.Equal(NSteps * Environments, step.EnvironmentSteps);
        Assert.Equal(Testbed.ServerVersion, step.Version);

        var layout = testbed.Server.Weights;
        Assert.Equal(layout.Select(t => t.Name), push.Gradients.Tensors.Select(t => t.Name));
        var gradients = new NamedTensors(layout.Select(t => new NamedTensor(t.Name, t.Shape, new float[t.Data.Length])));
        TensorWire.DecodeInto(push.Gradients, gradients, "gradients");
        Assert.All(gradients, g => Assert.True(g.Data.All(float.IsFinite), $"{g.Name} has a non-finite value"));
        Assert.All(gradients, g => Assert.True(g.Data.Any(v => v != 0), $"{g.Name} is all zeros"));
    }

    [Fact]
    public async Task RunAsync_AfterAnAppliedPush_NextUpdateStartsFromTheReplyWeightsWithoutPulling()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);

        await step.RunAsync(session, CancellationToken.None);
        var outcome = await step.RunAsync(session, CancellationToken.None);

        Assert.Equal(UpdateOutcome.Applied, outcome);
        Assert.Equal([0], testbed.Server.Pulls);
        Assert.All(testbed.Server.Applied, p => Assert.True(p.ReturnParameters));
        Assert.All(testbed.Server.Applied, p => Assert.Equal(TensorEncoding.Float32, p.ParametersEncoding));
        var second = testbed.Server.Applied[1];
        Assert.Equal($"{Testbed.WorkerId}-{step.Incarnation}-2", second.UpdateId);
        Assert.Equal(Testbed.ServerVersion, second.BaseVersion);
        Assert.Equal(2 * NSteps * Environments, step.EnvironmentSteps);
    }

    [Fact]
    public async Task RunAsync_ServerMovedOnDuringThePush_NextUpdateComputesOnTheReplyVersion()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);
        testbed.Server.HoldPushes();

        var first = step.RunAsync(session, CancellationToken.None);
        await testbed.Server.PushArrived.WaitAsync(HangGuard);
        testbed.Server.Version = Testbed.ServerVersion + 3;
        testbed.Server.ReleasePushes();
        await first.WaitAsync(HangGuard);
        await step.RunAsync(session, CancellationToken.None);

        Assert.Equal([0], testbed.Server.Pulls);
        Assert.Equal(Testbed.ServerVersion, testbed.Server.Applied[0].BaseVersion);
        Assert.Equal(Testbed.ServerVersion + 3, testbed.Server.Applied[1].BaseVersion);
        Assert.Equal(Testbed.ServerVersion + 3, testbed.Server.Applied[1].Gradients.Version);
        Assert.Equal(Testbed.ServerVersion + 3, step.Version);
    }

    [Fact]
    public async Task RunAsync_ReplyWithoutWeights_NextUpdatePullsAndGetsNotModifiedWhenCurrent()
    {
        using var testbed = new Testbed();
        testbed.Server.RepliesWithWeights = false;
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);

        await step.RunAsync(session, CancellationToken.None);
        await step.RunAsync(session, CancellationToken.None);
        testbed.Server.Version = Testbed.ServerVersion + 3;
        await step.RunAsync(session, CancellationToken.None);

        Assert.Equal([0, Testbed.ServerVersion, Testbed.ServerVersion], testbed.Server.Pulls);
        Assert.Equal(Testbed.ServerVersion, testbed.Server.Applied[1].BaseVersion);
        Assert.Equal(Testbed.ServerVersion + 3, testbed.Server.Applied[2].BaseVersion);
        Assert.Equal(Testbed.ServerVersion + 3, step.Version);
    }

    [Theory]
    [InlineData(PushRefusal.TooStale)]
    [InlineData(PushRefusal.UnknownVersion)]
    [InlineData(PushRefusal.Unsafe)]
    public async Task RunAsync_PushRefused_ReportsRefusedAndNextUpdatePullsAfresh(string reason)
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);
        testbed.Server.RefuseNextPush(reason);

        var refused = await step.RunAsync(session, CancellationToken.None);
        var next = await step.RunAsync(session, CancellationToken.None);

        Assert.Equal(UpdateOutcome.Refused, refused);
        Assert.Equal(UpdateOutcome.Applied, next);
        Assert.Equal([0, 0], testbed.Server.Pulls);
        Assert.Equal(2, testbed.Server.Pushes.Count);
        Assert.Equal($"{Testbed.WorkerId}-{step.Incarnation}-2", Assert.Single(testbed.Server.Applied).UpdateId);
        Assert.Equal(2, step.Updates);
        Assert.Contains(
            testbed.Logger.Entries,
            e => e.Level == LogLevel.Information && e.Message.StartsWith($"Worker {Testbed.WorkerId}: push {Testbed.WorkerId}-{step.Incarnation}-1 refused: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_TrainingFinished_ReportsTrainingFinishedAndNextUpdatePullsAfresh()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);
        testbed.Server.FinishTraining("step budget", statusPolls: 0);

        var outcome = await step.RunAsync(session, CancellationToken.None);
        await step.RunAsync(session, CancellationToken.None);

        Assert.Equal(UpdateOutcome.TrainingFinished, outcome);
        Assert.Empty(testbed.Server.Applied);
        Assert.Equal([0, 0], testbed.Server.Pulls);
        Assert.Contains(testbed.Logger.Entries, e => e.Message.EndsWith("refused: training finished: step budget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SimulatorFailsDuringTheRollout_ReportsSimulatorFailedAndPushesNothing()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);
        testbed.Simulator.FailOnStep(2);

        var outcome = await step.RunAsync(session, CancellationToken.None);

        Assert.Equal(UpdateOutcome.SimulatorFailed, outcome);
        Assert.True(session.IsBroken);
        Assert.Empty(testbed.Server.Pushes);
        Assert.Equal([0], testbed.Server.Pulls);
        Assert.Equal(0, step.Updates);
        Assert.Equal(0, step.EnvironmentSteps);
        Assert.Contains(
            testbed.Logger.Entries,
            e => e.Level == LogLevel.Warning && e.Message == $"Worker {Testbed.WorkerId}: the simulator failed; replacing it and abandoning this update");
    }

    [Fact]
    public async Task RunAsync_AfterAnAbandonedUpdate_NextUpdatePullsInsteadOfKeepingTheReplyWeights()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using (var session = testbed.OpenSession(step))
        {
            Assert.Equal(UpdateOutcome.Applied, await step.RunAsync(session, CancellationToken.None));
            testbed.Simulator.FailOnStep(2);
            Assert.Equal(UpdateOutcome.SimulatorFailed, await step.RunAsync(session, CancellationToken.None));
        }

        await using var fresh = testbed.OpenSession(step);
        Assert.Equal(UpdateOutcome.Applied, await step.RunAsync(fresh, CancellationToken.None));

        Assert.Equal([0, Testbed.ServerVersion], testbed.Server.Pulls);
        Assert.Equal(2, testbed.Server.Applied.Count);
    }

    [Fact]
    public async Task RunAsync_StoppedDuringAPushThatEndsWithinTheGrace_CompletesThePush()
    {
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);
        using var stopping = new CancellationTokenSource();
        testbed.Server.HoldPushes();

        var update = step.RunAsync(session, stopping.Token);
        await testbed.Server.PushArrived.WaitAsync(HangGuard);
        await stopping.CancelAsync();
        await Task.Delay(50);
        testbed.Server.ReleasePushes();

        Assert.Equal(UpdateOutcome.Applied, await update.WaitAsync(HangGuard));
        Assert.Single(testbed.Server.Applied);
    }

    [Fact]
    public async Task RunAsync_StoppedDuringAPushThatOutlastsTheGrace_CancelsThePushAfterTheGrace()
    {
        var grace = TimeSpan.FromMilliseconds(300);
        using var testbed = new Testbed();
        var step = testbed.CreateStep(pushGrace: grace);
        await using var session = testbed.OpenSession(step);
        using var stopping = new CancellationTokenSource();
        testbed.Server.HoldPushes();

        var update = step.RunAsync(session, stopping.Token);
        await testbed.Server.PushArrived.WaitAsync(HangGuard);
        var stopped = Stopwatch.StartNew();
        await stopping.CancelAsync();
        var exception = await Assert.ThrowsAsync<RpcException>(() => update.WaitAsync(HangGuard));

        Assert.Equal(StatusCode.Cancelled, exception.StatusCode);
        Assert.InRange(stopped.Elapsed, grace * 0.9, HangGuard);
        Assert.Empty(testbed.Server.Applied);
        Assert.Contains($"push {Testbed.WorkerId}-{step.Incarnation}-1 cancelled", testbed.Server.Calls);
    }

    [Fact]
    public async Task RunAsync_Applied_TracesTheUpdateWithItsPullRolloutBackwardAndPushSpans_TheNextWithoutAPull()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == A3cTelemetry.WorkerSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var testbed = new Testbed();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);

        await step.RunAsync(session, CancellationToken.None);

        var updateId = Assert.Single(testbed.Server.Applied).UpdateId;
        var push = Assert.Single(stopped, a => a.OperationName == A3cTelemetry.PushSpan && (string?)a.GetTagItem(A3cTelemetry.Attributes.UpdateId) == updateId);
        var update = Assert.Single(stopped, a => a.SpanId == push.ParentSpanId);
        var children = stopped.Where(a => a.ParentSpanId == update.SpanId).Select(a => a.OperationName).ToList();
        Assert.Equal(A3cTelemetry.UpdateSpan, update.OperationName);
        Assert.Equal(default, update.ParentSpanId);
        Assert.Equal([A3cTelemetry.PullSpan, A3cTelemetry.RolloutSpan, A3cTelemetry.BackwardSpan, A3cTelemetry.PushSpan], children);
        Assert.Equal(Testbed.WorkerId, update.GetTagItem(A3cTelemetry.Attributes.WorkerId));
        Assert.Equal(1L, update.GetTagItem(A3cTelemetry.Attributes.UpdateNumber));
        Assert.Equal(NSteps, update.GetTagItem(A3cTelemetry.Attributes.NSteps));
        Assert.Equal(Environments, update.GetTagItem(A3cTelemetry.Attributes.Environments));
        Assert.Equal(Testbed.ServerVersion, update.GetTagItem(A3cTelemetry.Attributes.BaseVersion));
        Assert.Equal(Testbed.ServerVersion, update.GetTagItem(A3cTelemetry.Attributes.NewVersion));
        Assert.Equal(0L, update.GetTagItem(A3cTelemetry.Attributes.Staleness));
        var rollout = Assert.Single(stopped, a => a.ParentSpanId == update.SpanId && a.OperationName == A3cTelemetry.RolloutSpan);
        Assert.Equal((long)NSteps * Environments, rollout.GetTagItem(A3cTelemetry.Attributes.EnvironmentSteps));
        Assert.Equal(false, Assert.Single(stopped, a => a.ParentSpanId == update.SpanId && a.OperationName == A3cTelemetry.PullSpan).GetTagItem("a3c.not_modified"));
        Assert.Equal(true, update.GetTagItem(A3cTelemetry.Attributes.Pulled));

        // The next update starts from the push's reply: no pull span, and the root says so.
        await step.RunAsync(session, CancellationToken.None);

        var next = Assert.Single(stopped, a => a.OperationName == A3cTelemetry.UpdateSpan && (long?)a.GetTagItem(A3cTelemetry.Attributes.UpdateNumber) == 2);
        Assert.Equal(
            [A3cTelemetry.RolloutSpan, A3cTelemetry.BackwardSpan, A3cTelemetry.PushSpan],
            stopped.Where(a => a.ParentSpanId == next.SpanId).Select(a => a.OperationName));
        Assert.Equal(false, next.GetTagItem(A3cTelemetry.Attributes.Pulled));
    }

    [Fact]
    public async Task RunAsync_Applied_CountsTheUpdateAndItsEnvironmentSteps()
    {
        using var testbed = new Testbed();
        var measurements = new ConcurrentQueue<(string Instrument, long Value, object? WorkerId)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, testbed.Metrics.Updates.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().Single(t => t.Key == A3cTelemetry.Attributes.WorkerId).Value)));
        listener.Start();
        var step = testbed.CreateStep();
        await using var session = testbed.OpenSession(step);
        testbed.Server.RefuseNextPush(PushRefusal.TooStale);

        await step.RunAsync(session, CancellationToken.None);
        await step.RunAsync(session, CancellationToken.None);

        Assert.Equal(2L * NSteps * Environments, measurements.Where(m => m.Instrument == A3cTelemetry.Metrics.EnvironmentSteps).Sum(m => m.Value));
        Assert.Equal(1L, measurements.Where(m => m.Instrument == A3cTelemetry.Metrics.Updates).Sum(m => m.Value));
        Assert.Equal([0L], measurements.Where(m => m.Instrument == A3cTelemetry.Metrics.Staleness).Select(m => m.Value));
        Assert.All(measurements, m => Assert.Equal(Testbed.WorkerId, m.WorkerId));
    }
}

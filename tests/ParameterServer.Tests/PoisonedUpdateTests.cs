using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using Grpc.Core;

namespace A3cGrpc.ParameterServer.Tests;

/// <summary>
/// The findings of an outside probe, each one reproduced as it was found: a push that must not poison the model or its
/// counters, the run then resuming from its checkpoint, and a policy that never answers OK with NaN.
/// </summary>
public sealed class PoisonedUpdateTests
{
    [Fact]
    public async Task HugeFiniteGradient_WithTheNormBoundOff_IsUndoneRefusedAndCountedAndTheRunLearnsAndResumes()
    {
        // Arrange: the bound off, so the second line of defence is what stops the probe's 1e21 push (Adam's second
        // moment would overflow to +Inf and freeze the model for good).
        using var folder = new TempDirectory();
        using var learner = TestModel.Learner();
        var settings = new Dictionary<string, string?> { ["ParameterServer:MaxPushGradientNorm"] = "0" };
        var huge = Filled(learner, 1e21f);
        var normal = TestModel.RandomGradients(learner, seed: 3);

        await using (var server = ServerHost.Start(folder.Path, settings))
        {
            // Act
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await server.Store.PushGradientsAsync(TestModel.Push(huge, 1, "poison"), ServerHost.PushAuth));
            var afterRefusal = await server.Store.PullParametersAsync(new PullParametersRequest());
            var applied = await server.Store.PushGradientsAsync(TestModel.Push(normal, 1, "normal"), ServerHost.PushAuth);
            var status = await server.Status.GetStatusAsync(new GetStatusRequest());

            // Assert: refused as unsafe, nothing applied, counted; the next push learns exactly as on an untouched model.
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal(PushRefusal.Unsafe, PushRefusal.ReasonOf(error));
            Assert.Contains("was undone and not applied", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(1, afterRefusal.Version);
            TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(afterRefusal.Parameters, learner));
            Assert.Equal(2, applied.Version);
            Assert.Equal(1, status.Progress.RefusedUnsafePushes);
            Assert.Equal(8, status.Progress.Counters.EnvironmentSteps);
        }

        // The shutdown checkpoint holds finite values: a restart on the folder resumes (the probe's restart exited 134).
        learner.ApplyGradients(normal);
        await using var resumed = ServerHost.Start(folder.Path, settings);
        var pulled = await resumed.Store.PullParametersAsync(new PullParametersRequest());
        var resumedStatus = await resumed.Status.GetStatusAsync(new GetStatusRequest());
        Assert.Equal(2, pulled.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pulled.Parameters, learner));
        Assert.Equal(1, resumedStatus.Progress.RefusedUnsafePushes);
    }

    [Fact]
    public async Task HugeFiniteGradient_WithTheDefaultBound_IsRefusedBeforeTheStep()
    {
        using var folder = new TempDirectory();
        using var learner = TestModel.Learner();
        await using var server = ServerHost.Start(folder.Path);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(TestModel.Push(Filled(learner, 1e21f), 1, "poison"), ServerHost.PushAuth));
        var status = await server.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(PushRefusal.Unsafe, PushRefusal.ReasonOf(error));
        Assert.Contains("ParameterServer:MaxPushGradientNorm", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, status.Progress.RefusedUnsafePushes);
        Assert.Equal(1, status.Progress.Counters.ModelVersion);
    }

    [Fact]
    public async Task OverflowingStepCount_IsRefusedAndTheCountersAndCheckpointsStayGood()
    {
        // The probe's sequence: environment_steps = 2^63 - 1, then 10. The counter went negative, every checkpoint
        // failed, shutdown exited 134 and a restart began again at version 1.
        using var folder = new TempDirectory();
        using var learner = TestModel.Learner();
        var overflowing = TestModel.Push(TestModel.RandomGradients(learner, seed: 1), 1, "max");
        overflowing.Statistics.EnvironmentSteps = long.MaxValue;
        overflowing.Statistics.Environments = 1;

        await using (var server = ServerHost.Start(folder.Path))
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(overflowing, ServerHost.PushAuth));
            await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, seed: 2), 1, "ten", environmentSteps: 10), ServerHost.PushAuth);
            var status = await server.Status.GetStatusAsync(new GetStatusRequest());

            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains("statistics.environment_steps", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal((2L, 10L), (status.Progress.Counters.ModelVersion, status.Progress.Counters.EnvironmentSteps));
        }

        await using var resumed = ServerHost.Start(folder.Path);
        var after = await resumed.Status.GetStatusAsync(new GetStatusRequest());
        Assert.Equal((2L, 10L), (after.Progress.Counters.ModelVersion, after.Progress.Counters.EnvironmentSteps));
        var summary = await File.ReadAllTextAsync(Path.Combine(folder.Path, "summary.json"));
        Assert.Contains("\"server stopped\"", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3e38f)]
    [InlineData(-2e6f)]
    public async Task Act_ObservationOutsideTheSaneRange_IsInvalidArgumentNeverNaN(float value)
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var single = new ActRequest { Deterministic = true };
        single.Observation.AddRange(Enumerable.Repeat(value, 5));
        var batch = new ActBatchRequest { Count = 2, Deterministic = true };
        batch.Observations.AddRange([0.1f, 0.2f, 1f, 0f, 0f, value, 0f, 1f, 0f, 0f]);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActAsync(single));
        var batchError = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActBatchAsync(batch));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("observation[0]", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("outside the range the policy accepts", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, batchError.StatusCode);
        Assert.Contains("observations[5]", batchError.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Act_LargestAcceptedObservation_GivesFiniteClippedOutputs()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var request = new ActRequest { Deterministic = false };
        request.Observation.AddRange([1e6f, -1e6f, 1e6f, -1e6f, 1e6f]);

        var answer = await server.Policy.ActAsync(request);

        Assert.All(answer.Mu.Concat(answer.Sigma).Append(answer.Value), v => Assert.True(float.IsFinite(v), $"{v} is not finite"));
        Assert.All(answer.Action, a => Assert.InRange(a, -1f, 1f));
    }

    private static NamedTensors Filled(GlobalLearner learner, float value) =>
        new(learner.ExportParameters().Select(t => new A3cGrpc.Learning.NamedTensor(t.Name, t.Shape, Enumerable.Repeat(value, t.Data.Length).ToArray())));
}

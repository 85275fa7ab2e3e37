using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using Grpc.Core;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class ParameterStoreTests
{
    private static readonly int[] _seedHiddenSizes = [512, 256];

    [Fact]
    public async Task DescribeModel_NewRun_ReportsLayoutHyperparametersAndLimits()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?> { ["ParameterServer:MaxStaleness"] = "7" });
        using var learner = TestModel.Learner();
        var expected = learner.ExportParameters();

        var description = await server.Store.DescribeModelAsync(new DescribeModelRequest());

        Assert.Equal(1, description.Version);
        Assert.Equal(expected.Select(t => t.Name), description.Parameters.Select(p => p.Name));
        Assert.Equal(expected.Select(t => t.Shape), description.Parameters.Select(p => p.Shape.ToArray()));
        Assert.Equal(expected.ElementCount, description.ParameterCount);
        Assert.Equal("InvertedPendulumSwingupBulletEnv-v0", description.EnvironmentId);
        Assert.Equal(5, description.ObservationSize);
        Assert.Equal(1, description.ActionSize);
        Assert.Equal(7, description.MaxStaleness);
        Assert.Equal((expected.ElementCount * 4) + ModelLayout.MessageMarginBytes, description.MaxReceiveMessageBytes);
        Assert.Equal(8, description.Hyperparameters.NSteps);
        Assert.Equal(4e-4, description.Hyperparameters.LearningRate);
        Assert.Equal(0.95, description.Hyperparameters.Gamma);
        Assert.Equal(0.95, description.Hyperparameters.AdamBeta1);
        Assert.Equal(TestModel.HiddenSizes, description.Hyperparameters.HiddenSizes);
    }

    [Fact]
    public async Task DescribeModel_SeedNetwork_CountsItsParametersAndAcceptsAFullPush()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["A3c:HiddenSizes:0"] = null,
            ["A3c:HiddenSizes:1"] = null,
            ["A3c:NSteps"] = "1",
        });
        using var learner = TestModel.Learner(_seedHiddenSizes);

        var description = await server.Store.DescribeModelAsync(new DescribeModelRequest());
        var push = await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1"), ServerHost.PushAuth);

        Assert.Equal(135_171, description.ParameterCount);
        Assert.Equal(135_171, ModelLayout.CountParameters(new A3cHyperparameters()));
        Assert.Equal((135_171 * 4) + ModelLayout.MessageMarginBytes, description.MaxReceiveMessageBytes);
        Assert.Equal(_seedHiddenSizes, description.Hyperparameters.HiddenSizes);
        Assert.Equal(3e-5, description.Hyperparameters.LearningRate); // the seed's rule for n < 3
        Assert.Equal(2, push.Version);
    }

    [Fact]
    public async Task PullParameters_NewRun_ReturnsTheSeededWeightsAsVersion1()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();

        var pull = await server.Store.PullParametersAsync(new PullParametersRequest());

        Assert.False(pull.NotModified);
        Assert.Equal(1, pull.Version);
        Assert.Equal(1, pull.Parameters.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pull.Parameters, learner));
    }

    [Fact]
    public async Task PullParameters_KnownCurrentVersion_IsNotModifiedWithoutTensors()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);

        var pull = await server.Store.PullParametersAsync(new PullParametersRequest { KnownVersion = 1 });

        Assert.True(pull.NotModified);
        Assert.Equal(1, pull.Version);
        Assert.Null(pull.Parameters);
    }

    [Fact]
    public async Task PullParameters_KnownVersionAheadOfTheServer_ReturnsTheCurrentWeights()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();

        var pull = await server.Store.PullParametersAsync(new PullParametersRequest { KnownVersion = 99 });

        Assert.False(pull.NotModified);
        Assert.Equal(1, pull.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pull.Parameters, learner));
    }

    [Fact]
    public async Task PullParameters_Float16_ReturnsTheWeightsRoundedToHalf()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var expected = learner.ExportParameters();
        foreach (var tensor in expected)
        {
            for (var i = 0; i < tensor.Data.Length; i++)
            {
                tensor.Data[i] = (float)(Half)tensor.Data[i];
            }
        }

        var pull = await server.Store.PullParametersAsync(new PullParametersRequest { Encoding = TensorEncoding.Float16 });

        Assert.All(pull.Parameters.Tensors, t => Assert.Equal(TensorEncoding.Float16, t.Encoding));
        TestModel.AssertEqual(expected, TestModel.Decode(pull.Parameters, learner));
    }

    [Theory]
    [InlineData(-1L, TensorEncoding.Float32, "known_version")]
    [InlineData(0L, (TensorEncoding)7, "encoding")]
    public async Task PullParameters_BadRequest_IsInvalidArgument(long knownVersion, TensorEncoding encoding, string field)
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PullParametersAsync(new PullParametersRequest { KnownVersion = knownVersion, Encoding = encoding }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushGradients_TwoPushes_ChangeTheWeightsExactlyLikeLocalAdamSteps()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var first = TestModel.RandomGradients(learner, 1);
        var second = TestModel.RandomGradients(learner, 2);

        var push1 = await server.Store.PushGradientsAsync(TestModel.Push(first, 1, "u1"), ServerHost.PushAuth);
        var push2 = await server.Store.PushGradientsAsync(TestModel.Push(second, 2, "u2"), ServerHost.PushAuth);
        var pull = await server.Store.PullParametersAsync(new PullParametersRequest());
        learner.ApplyGradients(first);
        learner.ApplyGradients(second);

        Assert.Equal((2, 0, false), (push1.Version, push1.Staleness, push1.Duplicate));
        Assert.Equal((3, 0, false), (push2.Version, push2.Staleness, push2.Duplicate));
        Assert.Equal(3, pull.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pull.Parameters, learner));
    }

    [Fact]
    public async Task PushGradients_Float16Gradients_AreAppliedAsTheirHalfValues()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var gradients = TestModel.RandomGradients(learner, 3);
        var rounded = new NamedTensors(gradients.Select(t => new A3cGrpc.Learning.NamedTensor(
            t.Name, t.Shape, [.. t.Data.Select(v => (float)(Half)v)])));

        await server.Store.PushGradientsAsync(TestModel.Push(gradients, 1, "u1", encoding: TensorEncoding.Float16), ServerHost.PushAuth);
        var pull = await server.Store.PullParametersAsync(new PullParametersRequest());
        learner.ApplyGradients(rounded);

        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pull.Parameters, learner));
    }

    [Fact]
    public async Task PushGradients_ReturnParameters_AnswersWithTheNewWeights()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var gradients = TestModel.RandomGradients(learner, 4);
        var request = TestModel.Push(gradients, 1, "u1");
        request.ReturnParameters = true;

        var push = await server.Store.PushGradientsAsync(request, ServerHost.PushAuth);
        learner.ApplyGradients(gradients);

        Assert.Equal(2, push.Version);
        Assert.Equal(2, push.Parameters.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(push.Parameters, learner));
    }

    [Fact]
    public async Task PushGradients_WithoutReturnParameters_AnswersWithoutWeights()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();

        var push = await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 4), 1, "u1"), ServerHost.PushAuth);

        Assert.Null(push.Parameters);
    }

    [Fact]
    public async Task PushGradients_RetriedUpdateId_IsADuplicateAndAppliedOnce()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var gradients = TestModel.RandomGradients(learner, 5);

        var first = await server.Store.PushGradientsAsync(TestModel.Push(gradients, 1, "update-1", environmentSteps: 8), ServerHost.PushAuth);
        var retry = await server.Store.PushGradientsAsync(TestModel.Push(gradients, 1, "update-1", environmentSteps: 8), ServerHost.PushAuth);
        var pull = await server.Store.PullParametersAsync(new PullParametersRequest());
        var status = await server.Status.GetStatusAsync(new GetStatusRequest());
        learner.ApplyGradients(gradients);

        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);
        Assert.Equal(2, retry.Version);
        Assert.Equal(2, pull.Version);
        Assert.Equal(8, status.Progress.Counters.EnvironmentSteps);
        Assert.Equal(1, status.Progress.Counters.Updates);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pull.Parameters, learner));
    }

    [Fact]
    public async Task PushGradients_SameUpdateIdFromAnotherWorker_IsApplied()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var gradients = TestModel.RandomGradients(learner, 5);

        await server.Store.PushGradientsAsync(TestModel.Push(gradients, 1, "update-1", "worker-a"), ServerHost.PushAuth);
        var other = await server.Store.PushGradientsAsync(TestModel.Push(gradients, 2, "update-1", "worker-b"), ServerHost.PushAuth);

        Assert.False(other.Duplicate);
        Assert.Equal(3, other.Version);
    }

    [Fact]
    public async Task PushGradients_DuplicateWithReturnParameters_AnswersWithTheCurrentWeights()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var first = TestModel.RandomGradients(learner, 6);
        var second = TestModel.RandomGradients(learner, 7);
        await server.Store.PushGradientsAsync(TestModel.Push(first, 1, "u1"), ServerHost.PushAuth);
        await server.Store.PushGradientsAsync(TestModel.Push(second, 2, "u2"), ServerHost.PushAuth);
        var retry = TestModel.Push(first, 1, "u1");
        retry.ReturnParameters = true;

        var answer = await server.Store.PushGradientsAsync(retry, ServerHost.PushAuth);
        learner.ApplyGradients(first);
        learner.ApplyGradients(second);

        Assert.True(answer.Duplicate);
        Assert.Equal(2, answer.Version);
        Assert.Equal(3, answer.Parameters.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(answer.Parameters, learner));
    }

    [Fact]
    public async Task PushGradients_BaseVersionAheadOfTheServer_IsFailedPreconditionAndNotApplied()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 1), 5, "u1"), ServerHost.PushAuth));
        var version = (await server.Store.PullParametersAsync(new PullParametersRequest())).Version;

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(PushRefusal.UnknownVersion, PushRefusal.ReasonOf(error));
        Assert.Contains("unknown version 5", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("pull again", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, version);
    }

    [Fact]
    public async Task PushGradients_StalerThanAllowed_IsFailedPreconditionAndCountedAsRefused()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?> { ["ParameterServer:MaxStaleness"] = "1" });
        using var learner = TestModel.Learner();

        var fresh = await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1"), ServerHost.PushAuth);
        var oneBehind = await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 2), 1, "u2"), ServerHost.PushAuth);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 3), 1, "u3"), ServerHost.PushAuth));
        var status = await server.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal((2, 0), (fresh.Version, fresh.Staleness));
        Assert.Equal((3, 1), (oneBehind.Version, oneBehind.Staleness));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(PushRefusal.TooStale, PushRefusal.ReasonOf(error));
        Assert.Contains("stale", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(3, status.Progress.Counters.ModelVersion);
        Assert.Equal(1, status.Progress.RefusedStalePushes);
        Assert.Equal(1, status.Progress.MaxStalenessSeen);
        Assert.Equal(0.5, status.Progress.MeanStaleness);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token-0123456789")]
    public async Task PushGradients_MissingOrWrongToken_IsUnauthenticatedAndNotApplied(string? token)
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var headers = token is null ? new Metadata() : BearerToken.ToMetadata(token);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1"), headers));
        var pull = await server.Store.PullParametersAsync(new PullParametersRequest());

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(1, pull.Version);
        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(pull.Parameters, learner));
    }

    [Fact]
    public async Task PushGradients_LargerThanTheReceiveLimit_IsResourceExhausted()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var request = TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1");
        var description = await server.Store.DescribeModelAsync(new DescribeModelRequest());
        request.Gradients.Tensors[0].Data = Google.Protobuf.ByteString.CopyFrom(new byte[description.MaxReceiveMessageBytes + 1]);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(request, ServerHost.PushAuth));
        var version = (await server.Store.PullParametersAsync(new PullParametersRequest())).Version;

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(1, version);
    }
}

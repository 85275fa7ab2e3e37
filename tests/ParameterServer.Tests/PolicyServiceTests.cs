using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.TestSupport;
using Grpc.Core;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class PolicyServiceTests
{
    private static readonly float[] _observation = [0.1f, -0.2f, -0.98f, 0.2f, 0.5f];

    private static readonly float[] _batch =
    [
        0.1f, -0.2f, -0.98f, 0.2f, 0.5f,
        -0.4f, 0.3f, 0.6f, -0.8f, -1.5f,
        0.0f, 0.0f, 1.0f, 0.0f, 0.0f,
    ];

    [Fact]
    public async Task Act_Deterministic_ReturnsMuOfTheLiveWeightsAndTheVersion()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        using var local = new ActorCriticPolicy(learner.Model, 0);
        var expected = local.Act(_observation, deterministic: true);
        var request = new ActRequest { Deterministic = true };
        request.Observation.AddRange(_observation);

        var answer = await server.Policy.ActAsync(request);

        Assert.Equal(1, answer.ModelVersion);
        TestModel.AssertClose([expected.Mu], answer.Mu, "mu");
        TestModel.AssertClose([expected.Std], answer.Sigma, "sigma");
        TestModel.AssertClose(expected.Value, answer.Value, "value");
        Assert.Equal(answer.Mu, answer.Action); // |mu| < 1 here: the clip leaves it
        Assert.InRange(expected.Mu, -0.99f, 0.99f);
    }

    [Fact]
    public async Task Act_Stochastic_ReturnsAClippedSampleAroundTheSameMu()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        using var local = new ActorCriticPolicy(learner.Model, 0);
        var expected = local.Act(_observation, deterministic: true);
        var request = new ActRequest();
        request.Observation.AddRange(_observation);

        var actions = new List<float>();
        for (var i = 0; i < 20; i++)
        {
            var answer = await server.Policy.ActAsync(request);
            TestModel.AssertClose([expected.Mu], answer.Mu, "mu");
            TestModel.AssertClose([expected.Std], answer.Sigma, "sigma");
            actions.Add(Assert.Single(answer.Action));
        }

        Assert.All(actions, a => Assert.InRange(a, -1f, 1f));
        Assert.True(actions.Distinct().Count() > 1, "samples should differ");
    }

    [Fact]
    public async Task ActBatch_Deterministic_ReturnsOneRowPerObservationLikeALocalForward()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        using var local = new ActorCriticPolicy(learner.Model, 0);
        float[] actions = new float[3], mu = new float[3], std = new float[3], values = new float[3];
        local.Act(_batch, actions, mu, std, values, deterministic: true);
        var request = new ActBatchRequest { Count = 3, Deterministic = true };
        request.Observations.AddRange(_batch);

        var answer = await server.Policy.ActBatchAsync(request);

        Assert.Equal((3, 1, 1L), (answer.Count, answer.ActionSize, answer.ModelVersion));
        TestModel.AssertClose(mu, answer.Mu, "mu");
        TestModel.AssertClose(std, answer.Sigma, "sigma");
        TestModel.AssertClose(values, answer.Values, "values");
        Assert.Equal(answer.Mu.Select(m => Math.Clamp(m, -1f, 1f)), answer.Actions);
    }

    [Fact]
    public async Task ActBatch_Stochastic_ClipsEveryAction()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var request = new ActBatchRequest { Count = 200 };
        for (var i = 0; i < 200; i++)
        {
            request.Observations.AddRange(_observation);
        }

        var answer = await server.Policy.ActBatchAsync(request);

        Assert.Equal(200, answer.Actions.Count);
        Assert.All(answer.Actions, a => Assert.InRange(a, -1f, 1f));
        Assert.Equal(200, answer.Values.Count);
    }

    public static TheoryData<string, float[], long> BadActs => new()
    {
        { "observation must hold 5 values", [0.1f, 0.2f, 0.3f, 0.4f], 0 },
        { "observation must hold 5 values", [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f], 0 },
        { "observation must hold 5 values", [], 0 },
        { "observation[2] is not a finite number", [0.1f, 0.2f, float.NaN, 0.4f, 0.5f], 0 },
        { "observation[4] is not a finite number", [0.1f, 0.2f, 0.3f, 0.4f, float.PositiveInfinity], 0 },
        { "model_version must not be negative", [0.1f, 0.2f, 0.3f, 0.4f, 0.5f], -1 },
    };

    [Theory]
    [MemberData(nameof(BadActs))]
    public async Task Act_BadInput_IsInvalidArgument(string expectedMessage, float[] observation, long modelVersion)
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var request = new ActRequest { ModelVersion = modelVersion };
        request.Observation.AddRange(observation);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expectedMessage, error.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, int, float> BadBatches => new()
    {
        { "count must be between 1 and 4096", 0, 0, 0f },
        { "count must be between 1 and 4096", 4097, 4097 * 5, 0f },
        { "count must be between 1 and 4096", -1, 0, 0f },
        { "observations must hold count x 5 = 10 values, got 9", 2, 9, 0f },
        { "observations must hold count x 5 = 10 values, got 15", 2, 15, 0f },
        { "observations[7] is not a finite number", 2, 10, float.NaN },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task ActBatch_BadInput_IsInvalidArgument(string expectedMessage, int count, int values, float seventh)
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var request = new ActBatchRequest { Count = count };
        request.Observations.AddRange(Enumerable.Range(0, values).Select(i => i == 7 ? seventh : 0.1f));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActBatchAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expectedMessage, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Act_VersionNeitherLiveNorKept_IsFailedPreconditionNamingThePinnableVersions()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        await WaitForSnapshot(server, 1);
        var request = new ActRequest { ModelVersion = 42 };
        request.Observation.AddRange(_observation);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActAsync(request));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("model version 42", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("pinnable versions: 1.", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Act_AfterAPush_ServesTheNewVersionAndPinsTheSnapshotOfTheOld()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        using var local = new ActorCriticPolicy(learner.Model, 0);
        var before = local.Act(_observation, deterministic: true);
        await WaitForSnapshot(server, 1);
        var gradients = TestModel.RandomGradients(learner, 21);
        await server.Store.PushGradientsAsync(TestModel.Push(gradients, 1, "u1"), ServerHost.PushAuth);
        learner.ApplyGradients(gradients);
        var after = local.Act(_observation, deterministic: true);

        var pinned = await ActAsync(server, 1);
        var current = await ActAsync(server, 2);
        var live = await Poll.UntilAsync(() => ActAsync(server, 0), a => a.ModelVersion == 2, "the live policy to serve version 2");
        var versions = await server.Policy.ListModelVersionsAsync(new ListModelVersionsRequest());

        Assert.True(Math.Abs(before.Mu - after.Mu) > 10 * TestModel.ForwardTolerance, $"the push should move mu ({before.Mu} -> {after.Mu})");
        Assert.Equal((1L, 2L, 2L), (pinned.ModelVersion, current.ModelVersion, live.ModelVersion));
        TestModel.AssertClose(before.Mu, pinned.Mu.Single(), "pinned mu");
        TestModel.AssertClose(after.Mu, current.Mu.Single(), "current mu");
        TestModel.AssertClose(after.Mu, live.Mu.Single(), "live mu");
        Assert.Equal(2, versions.LiveVersion);
        Assert.Equal([1L], versions.PinnableVersions);
    }

    [Fact]
    public async Task Act_PolicyTokenConfigured_RequiresIt()
    {
        const string token = "policy-token-0123456789";
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?> { ["ParameterServer:PolicyToken"] = token });
        var request = new ActRequest { Deterministic = true };
        request.Observation.AddRange(_observation);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActAsync(request));
        var wrong = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Policy.ActAsync(request, BearerToken.ToMetadata(ServerHost.PushToken)));
        var listing = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Policy.ListModelVersionsAsync(new ListModelVersionsRequest()));
        var allowed = await server.Policy.ActAsync(request, BearerToken.ToMetadata(token));

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, listing.StatusCode);
        Assert.Equal(1, allowed.ModelVersion);
    }

    [Fact]
    public async Task ListModelVersions_NewRunAfterItsFirstCheckpoint_ListsVersion1()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);

        var versions = await WaitForSnapshot(server, 1);

        Assert.Equal(1, versions.LiveVersion);
        Assert.Equal([1L], versions.PinnableVersions);
        Assert.True(File.Exists(Path.Combine(folder.Path, "snapshots", "policy-v000000000001.a3c")));
    }

    [Fact]
    public async Task ListModelVersions_MoreCheckpointsThanKept_KeepsOnlyTheNewestSnapshots()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?>
        {
            ["ParameterServer:SnapshotsToKeep"] = "2",
            ["Evaluation:EveryEnvSteps"] = "10",
        });
        using var learner = TestModel.Learner();
        await WaitForSnapshot(server, 1);
        for (var version = 1; version <= 3; version++)
        {
            await server.Store.PushGradientsAsync(
                TestModel.Push(TestModel.RandomGradients(learner, version), version, $"u{version}", environmentSteps: 10), ServerHost.PushAuth);
            await WaitForSnapshot(server, version + 1);
        }

        var versions = await server.Policy.ListModelVersionsAsync(new ListModelVersionsRequest());
        var request = new ActRequest { ModelVersion = 2 };
        request.Observation.AddRange(_observation);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Policy.ActAsync(request));

        Assert.Equal([3L, 4L], versions.PinnableVersions);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(folder.Path, "snapshots")).Length);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("pinnable versions: 3, 4.", error.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<ActResponse> ActAsync(ServerHost server, long version)
    {
        var request = new ActRequest { Deterministic = true, ModelVersion = version };
        request.Observation.AddRange(_observation);
        return await server.Policy.ActAsync(request);
    }

    private static Task<ListModelVersionsResponse> WaitForSnapshot(ServerHost server, long version) =>
        Poll.UntilAsync(
            async () => await server.Policy.ListModelVersionsAsync(new ListModelVersionsRequest()),
            v => v.PinnableVersions.Contains(version),
            $"a snapshot of version {version}");
}

using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.ServiceDefaults.Launching;
using A3cGrpc.TestSupport;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using A3cHyperparameters = A3cGrpc.Learning.A3cHyperparameters;
using HyperparameterPresets = A3cGrpc.Learning.HyperparameterPresets;

namespace A3cGrpc.ParameterServer.Tests;

/// <summary>Least privilege: who may read the model and the run, the push token checked before the message's size, and the policy's own port.</summary>
public sealed class AccessTests
{
    private const string ReadToken = "test-read-token-0123456789";

    [Fact]
    public async Task Reads_WithAReadTokenConfigured_NeedTheReadOrPushToken()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?> { ["ParameterServer:ReadToken"] = ReadToken });
        var read = BearerToken.ToMetadata(ReadToken);
        var wrong = BearerToken.ToMetadata("not-the-token-0123456789");

        var refused = new[]
        {
            await Refusal(() => server.Store.DescribeModelAsync(new DescribeModelRequest()).ResponseAsync),
            await Refusal(() => server.Store.PullParametersAsync(new PullParametersRequest()).ResponseAsync),
            await Refusal(() => server.Status.GetStatusAsync(new GetStatusRequest(), wrong).ResponseAsync),
            await Refusal(async () =>
            {
                using var call = server.Status.WatchStatus(new WatchStatusRequest());
                await call.ResponseStream.MoveNext();
                return call.ResponseStream.Current;
            }),
        };
        var described = await server.Store.DescribeModelAsync(new DescribeModelRequest(), read);
        var pulled = await server.Store.PullParametersAsync(new PullParametersRequest(), ServerHost.PushAuth);
        var status = await server.Status.GetStatusAsync(new GetStatusRequest(), read);
        var act = new ActRequest { Deterministic = true };
        act.Observation.AddRange([0f, 0f, 1f, 0f, 0f]);
        var answer = await server.Policy.ActAsync(act);

        Assert.All(refused, e => Assert.Equal(StatusCode.Unauthenticated, e.StatusCode));
        Assert.Contains("read token", refused[0].Status.Detail, StringComparison.Ordinal);
        Assert.Contains("no token", refused[0].Status.Detail, StringComparison.Ordinal);
        Assert.Contains("a wrong token", refused[2].Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, described.Version);
        Assert.Equal(1, pulled.Version);
        Assert.Equal(Path.GetFullPath(folder.Path), status.RunDirectory);
        Assert.Equal(1, answer.ModelVersion); // the policy keeps its own (here: no) token
    }

    [Fact]
    public async Task GetStatus_WithoutAToken_ShowsNoFilesystemPath()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);

        var anonymous = await server.Status.GetStatusAsync(new GetStatusRequest());
        var worker = await server.Status.GetStatusAsync(new GetStatusRequest(), ServerHost.PushAuth);

        Assert.Equal(string.Empty, anonymous.RunDirectory);
        Assert.Equal(1, anonymous.Progress.Counters.ModelVersion);
        Assert.Equal(Path.GetFullPath(folder.Path), worker.RunDirectory);
    }

    [Fact]
    public async Task OversizedPush_WithoutAToken_IsUnauthenticatedNotResourceExhausted()
    {
        // The token is checked on the call's headers, before its 10 MB message is read (or its size limit applies).
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var request = new PushGradientsRequest { WorkerId = "w", UpdateId = "u", BaseVersion = 1, Gradients = new TensorSet() };
        request.Gradients.Tensors.Add(new NamedTensor { Name = "big", Data = ByteString.CopyFrom(new byte[10 << 20]) });

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(request));
        var wrong = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Store.PushGradientsAsync(request, BearerToken.ToMetadata("not-the-token-0123456789")));
        var authenticated = await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(request, ServerHost.PushAuth));

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Contains("PushGradients needs 'authorization: Bearer <token>'", anonymous.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("no token", anonymous.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("a wrong token", wrong.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.ResourceExhausted, authenticated.StatusCode);
    }

    [Fact]
    public async Task PolicyPort_ServesOnlyThePolicyAndHealth_TheMainPortServesEverything()
    {
        // The real server process on two loopback ports, the second one the policy's.
        using var folder = new TempDirectory();
        var main = GrpcAddress.FreeLoopbackPort();
        var policyPort = GrpcAddress.FreeLoopbackPort();
        await using var server = StartServer(folder.Path, $"http://127.0.0.1:{main};http://127.0.0.1:{policyPort}", policyPort);
        using var mainChannel = GrpcAddress.CreateChannel($"http://127.0.0.1:{main}");
        using var policyChannel = GrpcAddress.CreateChannel($"http://127.0.0.1:{policyPort}");
        await server.WaitUntilServingAsync(mainChannel, TimeSpan.FromSeconds(120), CancellationToken.None);
        var act = new ActRequest { Deterministic = true };
        act.Observation.AddRange([0f, 0f, 1f, 0f, 0f]);

        var policyAnswer = await new Policy.PolicyClient(policyChannel).ActAsync(act);
        var health = await new Health.HealthClient(policyChannel).CheckAsync(new HealthCheckRequest());
        var pull = await Assert.ThrowsAsync<RpcException>(async () =>
            await new ParameterStore.ParameterStoreClient(policyChannel).PullParametersAsync(new PullParametersRequest()));
        var push = await Assert.ThrowsAsync<RpcException>(async () =>
            await new ParameterStore.ParameterStoreClient(policyChannel).PushGradientsAsync(new PushGradientsRequest(), ServerHost.PushAuth));
        var status = await Assert.ThrowsAsync<RpcException>(async () =>
            await new TrainingStatus.TrainingStatusClient(policyChannel).GetStatusAsync(new GetStatusRequest()));
        var mainPull = await new ParameterStore.ParameterStoreClient(mainChannel).PullParametersAsync(new PullParametersRequest());
        var mainAct = await new Policy.PolicyClient(mainChannel).ActAsync(act);

        Assert.Equal(1, policyAnswer.ModelVersion);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.All([pull, push, status], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains($"port {policyPort} serves only the policy", pull.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, mainPull.Version);
        Assert.Equal(policyAnswer.Mu, mainAct.Mu);
    }

    [Fact]
    public async Task PolicyPort_NotAmongTheServersAddresses_StopsTheServerWithExitCode1()
    {
        using var folder = new TempDirectory();
        var main = GrpcAddress.FreeLoopbackPort();
        var elsewhere = GrpcAddress.FreeLoopbackPort();
        await using var server = StartServer(folder.Path, $"http://127.0.0.1:{main}", elsewhere);

        await Poll.UntilAsync(() => server.HasExited, "the server to stop", TimeSpan.FromSeconds(120));

        Assert.Equal(1, server.ExitCode);
        var log = await File.ReadAllTextAsync(Path.Combine(folder.Path, "server.log"));
        Assert.Contains($"ParameterServer:PolicyPort is {elsewhere}, but the server listens on", log, StringComparison.Ordinal);
    }

    private static ServiceProcess StartServer(string runDirectory, string urls, int policyPort)
    {
        const string server = ParameterServerOptions.SectionName;
        const string a3c = A3cHyperparameters.SectionName;
        const string hidden = nameof(A3cHyperparameters.HiddenSizes);
        var arguments = new ServiceArguments()
            .Urls(urls)
            .Set(server, nameof(ParameterServerOptions.RunDirectory), Path.Combine(runDirectory, "run"))
            .Set(server, nameof(ParameterServerOptions.PolicyPort), policyPort)
            .Set(a3c, nameof(A3cHyperparameters.Preset), HyperparameterPresets.SeedName)
            .Set(a3c, $"{hidden}:0", 16)
            .Set(a3c, $"{hidden}:1", 16)
            .Set(EvaluationOptions.SectionName, nameof(EvaluationOptions.EveryEnvSteps), 1_000_000_000)
            .Set(EvaluationOptions.SectionName, nameof(EvaluationOptions.Episodes), 1);
        return ServiceProcess.Start(new ServiceStart("parameter-server", ServiceBinaries.Find(ServiceBinaries.ParameterServer))
        {
            Arguments = arguments,
            Environment = new Dictionary<string, string>
            {
                [$"{server}__{nameof(ParameterServerOptions.PushToken)}"] = ServerHost.PushToken,
            },
            LogFile = Path.Combine(runDirectory, "server.log"),
        });
    }

    private static async Task<RpcException> Refusal<T>(Func<Task<T>> call) => await Assert.ThrowsAsync<RpcException>(async () => await call());
}

using A3cGrpc.Contracts.V1;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using Google.Protobuf;
using Grpc.Core;

namespace A3cGrpc.ParameterServer.Tests;

/// <summary>One server for all bad pushes: none of them may change it, which each test checks.</summary>
public sealed class PushValidationFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _folder = new();

    public ServerHost Server { get; private set; } = null!;

    public GlobalLearner Learner { get; } = TestModel.Learner();

    public Task InitializeAsync()
    {
        Server = ServerHost.Start(_folder.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        Learner.Dispose();
        _folder.Dispose();
    }
}

public sealed class PushValidationTests(PushValidationFixture fixture) : IClassFixture<PushValidationFixture>
{
    public static TheoryData<string, string> BadPushes => new()
    {
        { "empty worker id", "worker_id must not be empty" },
        { "long worker id", "worker_id must be at most 200" },
        { "empty update id", "update_id must not be empty" },
        { "long update id", "update_id must be at most 200" },
        { "base version 0", "base_version" },
        { "negative base version", "base_version" },
        { "no gradients", "hold no tensors" },
        { "unknown tensor", "unknown tensor 'trunk.9.weight'" },
        { "missing tensor", "lack tensor(s) value.bias" },
        { "tensor twice", "more than once" },
        { "wrong shape", "has shape [16, 4]" },
        { "wrong byte length", "bytes of data" },
        { "unknown tensor encoding", "unknown encoding 5" },
        { "NaN gradient", "non-finite value (NaN)" },
        { "infinite gradient", "non-finite value" },
        { "half infinity", "non-finite value" },
        { "negative environment steps", "statistics.environment_steps" },
        { "negative environments", "statistics.environments" },
        { "NaN reward sum", "statistics.reward_sum" },
        { "infinite loss", "statistics.total_loss" },
        { "NaN episode return", "statistics.episode_returns[1]" },
        { "more episodes than steps", "finished episodes in 1 environment steps" },
        { "unknown parameters encoding", "parameters_encoding" },
        { "overflowing environment steps", "holds at most 8" },
        { "more steps than environments x n", "one update of 1 environments x n = 8 steps holds at most 8" },
        { "too many environments", "statistics.environments must be at most 4096" },
        { "reward sum beyond the steps", "statistics.reward_sum is 9" },
        { "episode return beyond the task", "statistics.episode_returns[0] is 1000000000" },
        { "huge finite gradient", "beyond the server's bound of 1E+06" },
    };

    [Theory]
    [MemberData(nameof(BadPushes))]
    public async Task PushGradients_BadInput_IsInvalidArgumentAndChangesNothing(string name, string expectedMessage)
    {
        var request = TestModel.Push(TestModel.RandomGradients(fixture.Learner, 11), 1, "bad-" + name);
        Spoil(request, name);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Server.Store.PushGradientsAsync(request, ServerHost.PushAuth));
        var pull = await fixture.Server.Store.PullParametersAsync(new PullParametersRequest());
        var status = await fixture.Server.Status.GetStatusAsync(new GetStatusRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expectedMessage, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, pull.Version);
        Assert.Equal(0, status.Progress.Counters.EnvironmentSteps);
        TestModel.AssertEqual(fixture.Learner.ExportParameters(), TestModel.Decode(pull.Parameters, fixture.Learner));
    }

    private static void Spoil(PushGradientsRequest request, string name)
    {
        var tensors = request.Gradients.Tensors;
        switch (name)
        {
            case "empty worker id":
                request.WorkerId = string.Empty;
                break;
            case "long worker id":
                request.WorkerId = new string('w', 201);
                break;
            case "empty update id":
                request.UpdateId = " ";
                break;
            case "long update id":
                request.UpdateId = new string('u', 201);
                break;
            case "base version 0":
                request.BaseVersion = 0;
                break;
            case "negative base version":
                request.BaseVersion = -3;
                break;
            case "no gradients":
                request.Gradients = null;
                break;
            case "unknown tensor":
                tensors[0].Name = "trunk.9.weight";
                break;
            case "missing tensor":
                tensors.RemoveAt(tensors.Count - 1);
                break;
            case "tensor twice":
                tensors.Add(tensors[0].Clone());
                break;
            case "wrong shape":
                tensors[0].Shape[1] = 4;
                break;
            case "wrong byte length":
                tensors[1].Data = ByteString.CopyFrom(tensors[1].Data.Span[..^4]);
                break;
            case "unknown tensor encoding":
                tensors[2].Encoding = (TensorEncoding)5;
                break;
            case "NaN gradient":
                tensors[3].Data = WithValue(tensors[3].Data, float.NaN);
                break;
            case "infinite gradient":
                tensors[3].Data = WithValue(tensors[3].Data, float.PositiveInfinity);
                break;
            case "half infinity":
                // 70000 does not fit in binary16: a float16 gradient that holds it is infinite.
                var half = new byte[tensors[0].Data.Length / 2];
                BitConverter.TryWriteBytes(half.AsSpan(0, 2), (Half)70000f);
                tensors[0].Data = ByteString.CopyFrom(half);
                tensors[0].Encoding = TensorEncoding.Float16;
                break;
            case "negative environment steps":
                request.Statistics.EnvironmentSteps = -1;
                break;
            case "negative environments":
                request.Statistics.Environments = -2;
                break;
            case "NaN reward sum":
                request.Statistics.RewardSum = double.NaN;
                break;
            case "infinite loss":
                request.Statistics.TotalLoss = double.NegativeInfinity;
                break;
            case "NaN episode return":
                request.Statistics.EpisodeReturns.Add(-10);
                request.Statistics.EpisodeReturns.Add(double.NaN);
                break;
            case "more episodes than steps":
                request.Statistics.EnvironmentSteps = 1;
                request.Statistics.RewardSum = -0.5;
                request.Statistics.EpisodeReturns.Add(-10);
                request.Statistics.EpisodeReturns.Add(-20);
                break;
            case "unknown parameters encoding":
                request.ReturnParameters = true;
                request.ParametersEncoding = (TensorEncoding)3;
                break;
            case "overflowing environment steps":
                // The probe's push: with a later push of 10 steps it made the server's counter negative.
                request.Statistics.Environments = 1;
                request.Statistics.EnvironmentSteps = long.MaxValue;
                break;
            case "more steps than environments x n":
                request.Statistics.Environments = 1;
                request.Statistics.EnvironmentSteps = 9;
                break;
            case "too many environments":
                request.Statistics.Environments = 4097;
                break;
            case "reward sum beyond the steps":
                request.Statistics.RewardSum = 9;
                break;
            case "episode return beyond the task":
                request.Statistics.EpisodeReturns.Add(1e9);
                break;
            case "huge finite gradient":
                // The probe's push: every value 1e21 (finite float32) overflowed Adam's second moment for good.
                foreach (var tensor in tensors)
                {
                    tensor.Data = Filled(tensor.Data.Length, 1e21f);
                }

                break;
            default:
                throw new ArgumentException($"No such case: {name}", nameof(name));
        }
    }

    private static ByteString Filled(int byteLength, float value)
    {
        var values = Enumerable.Repeat(value, byteLength / sizeof(float)).ToArray();
        return ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static ByteString WithValue(ByteString data, float value)
    {
        var bytes = data.ToByteArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), value);
        return ByteString.CopyFrom(bytes);
    }
}

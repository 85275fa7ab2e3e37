using System.Collections.Concurrent;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Tests.TestSupport;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class ConcurrencyTests
{
    private const int Pushes = 16;

    [Fact]
    public async Task PushGradients_ParallelPushesWithParallelPulls_AreSerializedAndNoPullIsTorn()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path, new Dictionary<string, string?> { ["ParameterServer:MaxStaleness"] = "100" });
        using var learner = TestModel.Learner();
        var initial = learner.ExportParameters();
        var gradients = Enumerable.Range(0, Pushes).Select(i => TestModel.RandomGradients(learner, 100 + i)).ToArray();
        var pulled = new ConcurrentBag<(long Version, NamedTensors Weights)>();
        using var pushesDone = new CancellationTokenSource();

        async Task PullUntilDone()
        {
            while (!pushesDone.IsCancellationRequested)
            {
                var pull = await server.Store.PullParametersAsync(new PullParametersRequest());
                pulled.Add((pull.Version, TestModel.Decode(pull.Parameters, learner)));
            }
        }

        var pullers = Enumerable.Range(0, 3).Select(_ => Task.Run(PullUntilDone)).ToArray();
        var responses = await Task.WhenAll(Enumerable.Range(0, Pushes).Select(i => Task.Run(async () =>
        {
            var request = TestModel.Push(gradients[i], 1, $"u{i}", $"worker-{i % 4}");
            request.ReturnParameters = true;
            return (Index: i, Response: await server.Store.PushGradientsAsync(request, ServerHost.PushAuth));
        })));
        await pushesDone.CancelAsync();
        await Task.WhenAll(pullers);
        var final = await server.Store.PullParametersAsync(new PullParametersRequest());

        // Every push was one version step: versions 2..17, each answered with the weights of exactly that version.
        Assert.Equal(Enumerable.Range(2, Pushes).Select(v => (long)v), responses.Select(r => r.Response.Version).Order());
        Assert.All(responses, r => Assert.Equal(r.Response.Version, r.Response.Parameters.Version));
        Assert.Equal(1L + Pushes, final.Version);
        var byVersion = responses.ToDictionary(r => r.Response.Version, r => TestModel.Decode(r.Response.Parameters, learner));
        byVersion[1] = initial;

        // No pull saw a mix of two versions: each equals the weights of the version it names.
        Assert.NotEmpty(pulled);
        Assert.All(pulled, p => Assert.True(TestModel.AreEqual(byVersion[p.Version], p.Weights), $"pull of version {p.Version} is torn"));

        // Replaying the pushes one at a time in the order the server applied them gives the server's weights.
        foreach (var (index, _) in responses.OrderBy(r => r.Response.Version))
        {
            learner.ApplyGradients(gradients[index]);
        }

        TestModel.AssertEqual(learner.ExportParameters(), TestModel.Decode(final.Parameters, learner));
        Assert.Equal(Enumerable.Range(0, Pushes).Select(i => (long)i), responses.Select(r => r.Response.Staleness).Order());
    }
}

using A3cGrpc.Distributed.Telemetry;
using A3cGrpc.OtlpReceiver;

namespace A3cGrpc.SystemTests;

/// <summary>
/// Every n-step update is one trace across the worker, its simulator and the parameter server, exported with OTLP
/// to a receiver this test runs.
/// </summary>
public sealed class UpdateTraceTests
{
    private const int FirstUpdate = 5;
    private const int LastUpdate = 14;

    [Fact]
    public async Task EveryUpdateInAWindow_IsOneCompleteTrace_AcrossWorkerSimulatorAndServer()
    {
        await using var receiver = await OtlpTraceReceiver.StartAsync();
        await using var system = new LocalSystem(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        await system.StartServerAsync();
        system.StartWorker(1);
        system.StartWorker(2);

        var spans = await receiver.WaitForAsync(
            all => Enumerable.Range(1, 2).All(w => Enumerable.Range(FirstUpdate, LastUpdate - FirstUpdate + 1).All(u => IsComplete(all, $"worker-{w}", u))),
            TimeSpan.FromSeconds(180));

        foreach (var workerId in new[] { "worker-1", "worker-2" })
        {
            for (var number = FirstUpdate; number <= LastUpdate; number++)
            {
                var root = UpdateSpan(spans, workerId, number)!;
                Assert.Null(root.ParentSpanId);
                Assert.Equal("a3c-worker", root.ServiceName);
                foreach (var key in new[]
                {
                    A3cTelemetry.Attributes.NSteps, A3cTelemetry.Attributes.BaseVersion, A3cTelemetry.Attributes.RewardSum,
                    A3cTelemetry.Attributes.Staleness,
                })
                {
                    Assert.True(root.Attributes.ContainsKey(key), $"{workerId} update {number} lacks {key}");
                }

                var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
                var apply = Assert.Single(trace, s => s.Name == A3cTelemetry.ApplyGradientsSpan);
                Assert.Equal("a3c-parameter-server", apply.ServiceName);
                Assert.Equal(root.Attributes[A3cTelemetry.Attributes.NewVersion], apply.Attributes[A3cTelemetry.Attributes.NewVersion]);
                Assert.True(DescendsFrom(trace, apply, Assert.Single(trace, s => s.Name == A3cTelemetry.PushSpan)), "apply is not under the push");
                var simulator = Assert.Single(trace, s => s.Name == A3cTelemetry.SimulatorRolloutSpan);
                Assert.Equal("a3c-envsim", simulator.ServiceName);
                Assert.Equal(Assert.Single(trace, s => s.Name == A3cTelemetry.RolloutSpan).SpanId, simulator.ParentSpanId);
            }
        }
    }

    private static ReceivedSpan? UpdateSpan(IReadOnlyList<ReceivedSpan> spans, string workerId, int number) =>
        spans.FirstOrDefault(s =>
            s.Name == A3cTelemetry.UpdateSpan
            && s.Attributes.GetValueOrDefault(A3cTelemetry.Attributes.WorkerId) == workerId
            && s.Attributes.GetValueOrDefault(A3cTelemetry.Attributes.UpdateNumber) == number.ToString(global::System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The update's root span and every expected child have arrived, from all three processes.</summary>
    private static bool IsComplete(IReadOnlyList<ReceivedSpan> spans, string workerId, int number)
    {
        var root = UpdateSpan(spans, workerId, number);
        if (root is null)
        {
            return false;
        }

        var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
        var names = trace.Select(s => s.Name).ToHashSet();
        var complete = new[]
        {
            A3cTelemetry.PullSpan, A3cTelemetry.RolloutSpan, A3cTelemetry.BackwardSpan, A3cTelemetry.PushSpan,
            A3cTelemetry.SimulatorRolloutSpan, A3cTelemetry.ApplyGradientsSpan,
        }.All(names.Contains);

        // The spans between the push and the apply (the client call, the server request) end later: wait for them too.
        return complete && trace.Where(s => s.Name == A3cTelemetry.ApplyGradientsSpan)
            .All(apply => DescendsFrom(trace, apply, trace.First(s => s.Name == A3cTelemetry.PushSpan)));
    }

    private static bool DescendsFrom(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span, ReceivedSpan ancestor)
    {
        var bySpanId = trace.ToDictionary(s => s.SpanId);
        for (var current = span; current.ParentSpanId is { } parent && bySpanId.TryGetValue(parent, out var next); current = next)
        {
            if (next.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}

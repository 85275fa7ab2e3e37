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
            all => UpdateTraces.WindowProblem(all, ["worker-1", "worker-2"], FirstUpdate, LastUpdate), TimeSpan.FromSeconds(180));

        Assert.Null(UpdateTraces.WindowProblem(spans, ["worker-1", "worker-2"], FirstUpdate, LastUpdate));
    }
}

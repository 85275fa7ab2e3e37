using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using A3cGrpc.ParameterServer.Tests.TestSupport;
using A3cGrpc.ServiceDefaults.Telemetry;
using A3cGrpc.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public async Task PushGradients_WithTraceContext_IsAnApplyGradientsSpanInTheWorkersTrace()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpanId = ActivitySpanId.CreateRandom();
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is A3cTelemetry.ServerSourceName or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var headers = ServerHost.PushAuth;
        headers.Add("traceparent", $"00-{traceId}-{parentSpanId}-01");

        await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "update-7", "worker-3", environmentSteps: 16), headers);
        var span = await Poll.UntilAsync(
            () => Task.FromResult(spans.FirstOrDefault(s => s.OperationName == A3cTelemetry.ApplyGradientsSpan)),
            s => s is not null, "the apply-gradients span");
        var request = await Poll.UntilAsync(
            () => Task.FromResult(spans.FirstOrDefault(s => s.OperationName != A3cTelemetry.ApplyGradientsSpan)),
            s => s is not null, "the request span");

        Assert.Equal(parentSpanId, request!.ParentSpanId);
        Assert.Equal(request.SpanId, span!.ParentSpanId);
        Assert.Equal("worker-3", span.GetTagItem(A3cTelemetry.Attributes.WorkerId));
        Assert.Equal("update-7", span.GetTagItem(A3cTelemetry.Attributes.UpdateId));
        Assert.Equal(1L, span.GetTagItem(A3cTelemetry.Attributes.BaseVersion));
        Assert.Equal(2L, span.GetTagItem(A3cTelemetry.Attributes.NewVersion));
        Assert.Equal(0L, span.GetTagItem(A3cTelemetry.Attributes.Staleness));
        Assert.Equal(false, span.GetTagItem(A3cTelemetry.Attributes.Duplicate));
        Assert.Equal(16L, span.GetTagItem(A3cTelemetry.Attributes.EnvironmentSteps));
    }

    [Fact]
    public async Task PushGradients_Refused_IsAnErrorSpan()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == A3cTelemetry.ServerSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var headers = ServerHost.PushAuth;
        headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        await Assert.ThrowsAsync<RpcException>(async () => await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 9, "u1"), headers));
        var span = await Poll.UntilAsync(() => Task.FromResult(spans.FirstOrDefault()), s => s is not null, "the span");

        Assert.Equal(ActivityStatusCode.Error, span!.Status);
        Assert.Contains("unknown version 9", span.StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushGradients_Applied_IsCountedOnTheA3cMeter()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        using var learner = TestModel.Learner();
        var meterFactory = server.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Instrument, double Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == A3cTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.Start();

        await server.Store.PushGradientsAsync(
            TestModel.Push(TestModel.RandomGradients(learner, 1), 1, "u1", environmentSteps: 24, episodeReturns: [-321.0]), ServerHost.PushAuth);
        await Poll.UntilAsync(
            async () => await server.Status.GetStatusAsync(new Contracts.V1.GetStatusRequest()), s => s.Evaluations.Count > 0, "an evaluation");
        listener.RecordObservableInstruments();

        Assert.Contains((A3cTelemetry.Metrics.Updates, 1.0), measurements);
        Assert.Contains((A3cTelemetry.Metrics.EnvironmentSteps, 24.0), measurements);
        Assert.Contains((A3cTelemetry.Metrics.Staleness, 0.0), measurements);
        Assert.Contains((A3cTelemetry.Metrics.EpisodeReturn, -321.0), measurements);
        Assert.Contains(measurements, m => m.Instrument == A3cTelemetry.Metrics.EvaluationMean);
    }
}

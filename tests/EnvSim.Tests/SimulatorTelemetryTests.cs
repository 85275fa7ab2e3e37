using System.Diagnostics;
using System.Diagnostics.Metrics;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.EnvSim.Telemetry;
using A3cGrpc.EnvSim.Tests.TestSupport;
using A3cGrpc.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace A3cGrpc.EnvSim.Tests;

/// <summary>One rollout span per rollout (not per step), continuing the worker's trace; the environment-step counter.</summary>
public sealed class SimulatorTelemetryTests : IDisposable
{
    private const int Count = 3;

    private readonly SimulatorHost _host = new();
    private readonly CancellationTokenSource _cancellation = new(SimulatorHost.HangGuard);

    [Fact]
    public async Task StepAsync_WithTraceContext_OpensOneChildSpanEndedAfterEndsRollout()
    {
        // Arrange
        var parent = NewParent();
        using var spans = new SpanRecorder(parent.TraceId);
        await using var session = await OpenAsync();
        var actions = new float[Count];

        // Act: a rollout of three steps, the last one ending it.
        await session.StepAsync(actions, parent, endsRollout: false, _cancellation.Token);
        await session.StepAsync(actions, parent, endsRollout: false, _cancellation.Token);
        var stoppedBeforeTheEnd = spans.Stopped.Count;
        await session.StepAsync(actions, parent, endsRollout: true, _cancellation.Token);
        await spans.WaitForStopsAsync(1);

        // Assert
        Assert.Equal(0, stoppedBeforeTheEnd);
        var span = Assert.Single(spans.Started);
        Assert.Same(span, Assert.Single(spans.Stopped));
        Assert.Equal(A3cTelemetry.SimulatorRolloutSpan, span.OperationName);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(parent.SpanId, span.ParentSpanId);
        Assert.Equal(3L * Count, span.GetTagItem(A3cTelemetry.Attributes.EnvironmentSteps));
        Assert.Equal(Count, span.GetTagItem(A3cTelemetry.Attributes.Environments));
    }

    [Fact]
    public async Task StepAsync_TwoRollouts_OpenOneSpanEachWithItsParent()
    {
        // Arrange: two rollouts of one trace, the first never marked as ended: the new parent ends it.
        var first = NewParent();
        var second = new ActivityContext(first.TraceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        using var spans = new SpanRecorder(first.TraceId);
        await using var session = await OpenAsync();
        var actions = new float[Count];

        // Act
        await session.StepAsync(actions, first, endsRollout: false, _cancellation.Token);
        await session.StepAsync(actions, first, endsRollout: false, _cancellation.Token);
        await session.StepAsync(actions, second, endsRollout: false, _cancellation.Token);
        await session.StepAsync(actions, default, endsRollout: true, _cancellation.Token);
        await spans.WaitForStopsAsync(2);

        // Assert
        Assert.Equal([first.SpanId, second.SpanId], spans.Stopped.Select(s => s.ParentSpanId));
        Assert.Equal([2L * Count, 2L * Count], spans.Stopped.Select(s => s.GetTagItem(A3cTelemetry.Attributes.EnvironmentSteps)));
    }

    [Fact]
    public async Task DisposeAsync_OpenRollout_EndsItsSpan()
    {
        // Arrange
        var parent = NewParent();
        using var spans = new SpanRecorder(parent.TraceId);
        var session = await OpenAsync();
        await session.StepAsync(new float[Count], parent, endsRollout: false, _cancellation.Token);

        // Act
        await session.DisposeAsync();
        await spans.WaitForStopsAsync(1);

        // Assert
        Assert.Equal((long)Count, Assert.Single(spans.Stopped).GetTagItem(A3cTelemetry.Attributes.EnvironmentSteps));
    }

    [Fact]
    public async Task StepAsync_WithoutTraceContext_OpensNoSpan()
    {
        // Arrange: a recorder of every span of the simulator's source.
        using var spans = new SpanRecorder(traceId: null);
        await using var session = await OpenAsync();

        // Act
        await session.StepAsync(new float[Count], default, endsRollout: true, _cancellation.Token);

        // Assert
        Assert.Empty(spans.Started);
    }

    [Fact]
    public async Task StepAsync_Steps_CountsEnvironmentStepsTaggedWithTheService()
    {
        // Arrange: listen to this host's meter only.
        var meterFactory = _host.Services.GetRequiredService<IMeterFactory>();
        long total = 0;
        var services = new List<object?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meterFactory && instrument.Meter.Name == A3cTelemetry.MeterName
                    && instrument.Name == A3cTelemetry.Metrics.EnvironmentSteps)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            Interlocked.Add(ref total, value);
            lock (services)
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == SimulatorTelemetry.ServiceTag)
                    {
                        services.Add(tag.Value);
                    }
                }
            }
        });
        listener.Start();
        await using var session = await OpenAsync();

        // Act
        for (var n = 0; n < 5; n++)
        {
            await session.StepAsync(new float[Count], default, endsRollout: false, _cancellation.Token);
        }

        // Assert: recorded before each reply was sent.
        Assert.Equal(5L * Count, Interlocked.Read(ref total));
        Assert.Equal(Enumerable.Repeat<object?>(SimulatorTelemetry.ServiceName, 5), services);
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _host.Dispose();
    }

    private static ActivityContext NewParent() =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

    private Task<SimulatorSession> OpenAsync() =>
        SimulatorSession.OpenAsync(_host.Client, Count, 4, SimulatorHost.HangGuard, _cancellation.Token);
}

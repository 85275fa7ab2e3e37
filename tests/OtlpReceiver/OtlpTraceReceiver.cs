using System.Globalization;
using A3cGrpc.OtlpReceiver.Proto.Collector;
using A3cGrpc.OtlpReceiver.Proto.Common;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProtoSpan = A3cGrpc.OtlpReceiver.Proto.Trace.Span;

namespace A3cGrpc.OtlpReceiver;

/// <summary>
/// An OTLP/gRPC trace receiver (the <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c> call) on a
/// port of its own: point <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> at <see cref="Endpoint"/> and read <see cref="Spans"/>.
/// Other signals (metrics, logs) are answered UNIMPLEMENTED.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SpanStore _store;

    private OtlpTraceReceiver(WebApplication app, SpanStore store, string endpoint)
    {
        _app = app;
        _store = store;
        Endpoint = endpoint;
    }

    /// <summary>The receiver's URL (<c>http://host:port</c>, h2c).</summary>
    public string Endpoint { get; }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => _store.Snapshot();

    /// <summary>Export calls received so far.</summary>
    public int ExportCalls => _store.ExportCalls;

    /// <summary>
    /// Starts a receiver listening on <paramref name="bindAddress"/> (default loopback) and a free port;
    /// <paramref name="advertisedHost"/> replaces the bind address in <see cref="Endpoint"/> (e.g. a host name
    /// containers can reach).
    /// </summary>
    public static async Task<OtlpTraceReceiver> StartAsync(string bindAddress = "127.0.0.1", string? advertisedHost = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Parse(bindAddress), 0, o => o.Protocols = HttpProtocols.Http2));
        var store = new SpanStore();
        builder.Services.AddSingleton(store);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        var app = builder.Build();
        app.MapGrpcService<TraceExportService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new OtlpTraceReceiver(app, store, $"http://{advertisedHost ?? bindAddress}:{port}");
    }

    /// <summary>
    /// Waits until <paramref name="problem"/> answers null for the spans received (checked as spans arrive); on
    /// timeout, its last answer says what was still missing.
    /// </summary>
    /// <exception cref="TimeoutException">Problems remained after <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, string?> problem, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans;
            if (problem(spans) is not { } remaining)
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The expected spans did not arrive within {timeout.TotalSeconds:F0} s ({spans.Count} spans in {ExportCalls} export calls): {remaining}.");
            }

            await Task.Delay(200);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Holds what was received (thread-safe).</summary>
    private sealed class SpanStore
    {
        private readonly List<ReceivedSpan> _spans = [];
        private readonly Lock _gate = new();
        private int _exportCalls;

        public int ExportCalls => Volatile.Read(ref _exportCalls);

        public void Add(IEnumerable<ReceivedSpan> spans)
        {
            Interlocked.Increment(ref _exportCalls);
            lock (_gate)
            {
                _spans.AddRange(spans);
            }
        }

        public IReadOnlyList<ReceivedSpan> Snapshot()
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>The OTLP trace export service.</summary>
    private sealed class TraceExportService(SpanStore store) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            var received = new List<ReceivedSpan>();
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var service = resourceSpans.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name") is { } name ? Text(name.Value) : string.Empty;
                foreach (var scopeSpans in resourceSpans.ScopeSpans)
                {
                    received.AddRange(scopeSpans.Spans.Select(span => ToReceived(span, service, scopeSpans.Scope?.Name ?? string.Empty)));
                }
            }

            store.Add(received);
            return Task.FromResult(new ExportTraceServiceResponse());
        }

        private static ReceivedSpan ToReceived(ProtoSpan span, string service, string scope) => new(
            System.Convert.ToHexStringLower(span.TraceId.Span),
            System.Convert.ToHexStringLower(span.SpanId.Span),
            span.ParentSpanId.IsEmpty ? null : System.Convert.ToHexStringLower(span.ParentSpanId.Span),
            span.Name,
            service,
            scope,
            span.Kind.ToString(),
            FromUnixNanoseconds(span.StartTimeUnixNano),
            FromUnixNanoseconds(span.EndTimeUnixNano),
            span.Attributes.ToDictionary(a => a.Key, a => Text(a.Value)),
            span.Status?.Code == Proto.Trace.Status.Types.StatusCode.Error);

        private static DateTime FromUnixNanoseconds(ulong nanoseconds) =>
            DateTime.UnixEpoch.AddTicks((long)(nanoseconds / 100));

        private static string Text(AnyValue? value) => value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            null => string.Empty,
            _ => value.ToString(),
        };
    }
}

namespace A3cGrpc.OtlpReceiver;

/// <summary>One span as an exporter sent it, flattened for assertions.</summary>
/// <param name="TraceId">32 lowercase hex digits.</param>
/// <param name="SpanId">16 lowercase hex digits.</param>
/// <param name="ParentSpanId">The parent's span id, or null for a root span.</param>
/// <param name="Name">The span name.</param>
/// <param name="ServiceName">The exporting process's <c>service.name</c> resource attribute.</param>
/// <param name="ScopeName">The instrumentation scope (activity source) name.</param>
/// <param name="Kind">Internal, Server, Client, ...</param>
/// <param name="StartUtc">Start time.</param>
/// <param name="EndUtc">End time.</param>
/// <param name="Attributes">Attributes as strings (numbers in invariant culture).</param>
/// <param name="IsError">True when the span's status is ERROR.</param>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string ServiceName,
    string ScopeName,
    string Kind,
    DateTime StartUtc,
    DateTime EndUtc,
    IReadOnlyDictionary<string, string> Attributes,
    bool IsError);

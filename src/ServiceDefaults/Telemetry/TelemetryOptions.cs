namespace A3cGrpc.ServiceDefaults.Telemetry;

/// <summary>Local telemetry output (OTLP export is configured by the standard <c>OTEL_*</c> variables).</summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>When set, finished spans are appended to this file as JSON lines.</summary>
    public string? SpanFile { get; set; }

    /// <summary>
    /// When the span file grows past this many bytes it is renamed to <c>&lt;file&gt;.1</c> (replacing an older one)
    /// and a new file starts: a long run keeps its most recent spans in at most twice this much disk.
    /// </summary>
    public long SpanFileMaxBytes { get; set; } = 64L * 1024 * 1024;
}

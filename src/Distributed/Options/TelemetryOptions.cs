namespace A3cGrpc.Distributed.Options;

/// <summary>Local telemetry output (OTLP export is configured by the standard <c>OTEL_*</c> variables).</summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>When set, finished spans are appended to this file as JSON lines.</summary>
    public string? SpanFile { get; set; }
}

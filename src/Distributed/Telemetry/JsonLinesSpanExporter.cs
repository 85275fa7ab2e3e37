using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;

namespace A3cGrpc.Distributed.Telemetry;

/// <summary>
/// Writes finished spans as JSON lines (trace id, span id, parent id, name, start, duration, attributes), so a
/// local run has readable traces without a collector. Appends; one file per process.
/// </summary>
public sealed class JsonLinesSpanExporter : BaseExporter<Activity>
{
    private readonly StreamWriter _writer;

    /// <summary>An exporter appending to <paramref name="path"/> (its folder is created).</summary>
    public JsonLinesSpanExporter(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
    }

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var activity in batch)
        {
            var record = new Dictionary<string, object?>
            {
                ["trace_id"] = activity.TraceId.ToHexString(),
                ["span_id"] = activity.SpanId.ToHexString(),
                ["parent_span_id"] = activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
                ["name"] = activity.DisplayName,
                ["source"] = activity.Source.Name,
                ["kind"] = activity.Kind.ToString(),
                ["start_utc"] = activity.StartTimeUtc,
                ["duration_ms"] = activity.Duration.TotalMilliseconds,
                ["status"] = activity.Status.ToString(),
                ["attributes"] = activity.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString()),
            };
            _writer.WriteLine(JsonSerializer.Serialize(record));
        }

        _writer.Flush();
        return ExportResult.Success;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Dispose();
        }

        base.Dispose(disposing);
    }
}

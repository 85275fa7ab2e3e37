using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;

namespace A3cGrpc.ServiceDefaults.Telemetry;

/// <summary>
/// Writes finished spans as JSON lines (trace id, span id, parent id, name, start, duration, attributes), so a
/// local run has readable traces without a collector. Appends; one file per process. Past
/// <c>maxBytes</c> the file becomes <c>&lt;path&gt;.1</c> and a new one starts, so the newest spans are kept in bounded space.
/// </summary>
public sealed class JsonLinesSpanExporter : BaseExporter<Activity>
{
    private readonly string _path;
    private readonly long _maxBytes;
    private StreamWriter _writer;

    /// <summary>An exporter appending to <paramref name="path"/> (its folder is created), rotating past <paramref name="maxBytes"/>.</summary>
    public JsonLinesSpanExporter(string path, long maxBytes = long.MaxValue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _path = Path.GetFullPath(path);
        _maxBytes = maxBytes;
        var folder = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        _writer = Open();
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
        if (_writer.BaseStream.Length > _maxBytes)
        {
            _writer.Dispose();
            File.Move(_path, _path + ".1", overwrite: true);
            _writer = Open();
        }

        return ExportResult.Success;
    }

    private StreamWriter Open() => new(new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));

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

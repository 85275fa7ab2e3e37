using System.Diagnostics;
using System.Text.Json;
using A3cGrpc.ServiceDefaults.Telemetry;
using OpenTelemetry;

namespace A3cGrpc.ServiceDefaults.Tests;

public sealed class JsonLinesSpanExporterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-spans-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Export_WritesOneJsonObjectPerSpan_WithItsParentAndAttributes()
    {
        var path = Path.Combine(_folder, "spans.jsonl");
        using (var exporter = new JsonLinesSpanExporter(path))
        {
            using var parent = new Activity("a3c.update").SetIdFormat(ActivityIdFormat.W3C).Start();
            using var child = new Activity("a3c.push").SetIdFormat(ActivityIdFormat.W3C).Start();
            child.SetTag("a3c.staleness", 2);
            child.Stop();
            Assert.Equal(ExportResult.Success, exporter.Export(new Batch<Activity>([child], 1)));
        }

        var line = Assert.Single(File.ReadAllLines(path));
        using var json = JsonDocument.Parse(line);
        Assert.Equal("a3c.push", json.RootElement.GetProperty("name").GetString());
        Assert.Equal(32, json.RootElement.GetProperty("trace_id").GetString()!.Length);
        Assert.Equal(16, json.RootElement.GetProperty("parent_span_id").GetString()!.Length);
        Assert.Equal("2", json.RootElement.GetProperty("attributes").GetProperty("a3c.staleness").GetString());
    }

    [Fact]
    public void Export_PastTheSizeLimit_RotatesToDotOne()
    {
        var path = Path.Combine(_folder, "spans.jsonl");
        using var exporter = new JsonLinesSpanExporter(path, maxBytes: 1000);
        for (var i = 0; i < 20; i++)
        {
            using var span = new Activity($"span-{i}").SetIdFormat(ActivityIdFormat.W3C).Start();
            span.Stop();
            exporter.Export(new Batch<Activity>([span], 1));
        }

        // The older spans went to .1 (replaced at each rotation); the newest are kept; both files stay bounded.
        Assert.True(File.Exists(path + ".1"));
        var kept = File.ReadAllText(path + ".1") + File.ReadAllText(path);
        Assert.Contains("span-19", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("\"span-0\"", kept, StringComparison.Ordinal);
        Assert.True(new FileInfo(path + ".1").Length <= 1000 + 600);
        Assert.True(new FileInfo(path).Length <= 1000);
    }
}

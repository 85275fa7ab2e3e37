using System.Text.Json;
using System.Text.Json.Serialization;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>The one JSON style of every file a run or a benchmark writes: indented snake_case, enums by name.</summary>
public static class RunJson
{
    /// <summary>Serializer options shared by <c>config.json</c>, <c>summary.json</c> and benchmark results.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
}

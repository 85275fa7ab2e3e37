using System.Text.Json;

namespace A3cGrpc.Cli.Tests;

public sealed class BenchCommandTests : IDisposable
{
    private static readonly string[] _presets = ["default", "seed"];
    private static readonly string[] _encodings = ["Float32", "Float16"];
    private static readonly string[] _exchangeMeasurements = ["push", "pull", "push + pull", "push returning the weights"];
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-cli-bench-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Bench_FewRepetitions_WritesEveryMeasurementAsJson()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync("bench", "--k", "2", "--repetitions", "3", "--out", _folder);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        var file = Assert.Single(Directory.GetFiles(_folder, "core-*.json"));
        Assert.Contains(file, output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.True(json.RootElement.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        var measurements = json.RootElement.GetProperty("measurements").EnumerateArray().ToDictionary(
            m => m.GetProperty("name").GetString()!, m => m.GetProperty("median_microseconds").GetDouble());
        string[] expected =
        [
            "env_step_single", "env_step_vector_k2", "env_step_vector_k2_per_env", "policy_sample_batch1", "policy_mean_batch2",
            "nstep_update_n1", "nstep_update_n8", "nstep_loss_n8", "nstep_loss_backward_n8", "adam_step",
            "step_guard",
        ];
        Assert.Equal(expected.Order(), measurements.Keys.Order());
        Assert.All(measurements.Values, median => Assert.True(median > 0 && double.IsFinite(median)));
        // The per-env figure is the per-call figure divided by K.
        Assert.Equal(measurements["env_step_vector_k2"] / 2, measurements["env_step_vector_k2_per_env"], 9);
    }

    [Fact]
    public async Task BenchServices_ExchangeAndCapacity_MeasureBothProtocolsOnBothNetworksAndEveryPusherCount()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            "bench", "services", "--parts", "exchange", "capacity", "--calls", "100", "--pushers", "1", "2", "--capacity-seconds", "1", "--out", _folder);

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}");
        var file = Assert.Single(Directory.GetFiles(_folder, "services-*.json"));
        Assert.Contains(file, output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        var exchange = json.RootElement.GetProperty("parameter_exchange").EnumerateArray().ToDictionary(
            m => m.GetProperty("name").GetString()!, m => m.GetProperty("p50_microseconds").GetDouble());
        string[] expected =
        [
            .. from preset in _presets
               from encoding in _encodings
               from name in _exchangeMeasurements
               select $"{name} ({preset}, {encoding})",
        ];
        Assert.Equal(expected.Order(), exchange.Keys.Order());
        Assert.All(exchange.Values, p50 => Assert.True(p50 > 0 && double.IsFinite(p50)));
        var capacity = json.RootElement.GetProperty("capacity").EnumerateArray().ToList();
        Assert.Equal([1, 2], capacity.Select(c => c.GetProperty("pushers").GetInt32()));
        Assert.All(capacity, c => Assert.True(c.GetProperty("updates_per_second").GetDouble() > 0));
    }

    [Theory]
    [InlineData("--k", "0", "--k must be between 1 and 4096")]
    [InlineData("--repetitions", "2", "--repetitions must be between 3 and 1000")]
    public async Task Bench_BadOption_FailsWithItsMessage(string option, string value, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("bench", option, value, "--out", _folder);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }
}

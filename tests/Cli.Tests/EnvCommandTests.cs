using System.Globalization;
using System.Text.Json;

namespace A3cGrpc.Cli.Tests;

public sealed class EnvCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-cli-env-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Replay_GoldenActions_PrintsOneJsonObjectPerStepWithTheSpecsValues()
    {
        // docs/env-spec.md §5.6: +1 for steps 1-15 from u = 0; after step 1 the state is
        // [0.002206157, 0.133706493, -0.999989770, -0.004523251, 0.279752714].
        var actions = Path.Combine(_folder, "actions.json");
        await File.WriteAllTextAsync(actions, "[1, 1, 1]");

        var (exitCode, output, error) = await CliRunner.RunAsync("env", "replay", "--theta-offset", "0", "--actions", actions);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(1, first.RootElement.GetProperty("step").GetInt32());
        double[] obs = [.. first.RootElement.GetProperty("obs").EnumerateArray().Select(e => e.GetDouble())];
        double[] expected = [0.002206157, 0.133706493, -0.999989770, -0.004523251, 0.279752714];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], obs[i], 9);
        }

        Assert.Equal(obs[2], first.RootElement.GetProperty("reward").GetDouble());
    }

    [Fact]
    public async Task Replay_MalformedActionsFile_ExitsWithClearError()
    {
        var actions = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(actions, "[1, \"push\"]");

        var (exitCode, output, error) = await CliRunner.RunAsync("env", "replay", "--theta-offset", "0", "--actions", actions);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_MissingThetaOffset_FailsToParse()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("env", "replay", "--actions", "x.json");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--theta-offset", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_Lqr_ScoresAboutTheSpecsControllerReturn()
    {
        // docs/env-spec.md §5.8: the controller scores 883.8 (u = 0) to 886.5 (u = ±0.1).
        var (exitCode, output, _) = await CliRunner.RunAsync("env", "baseline", "--policy", "lqr", "--episodes", "3");

        Assert.Equal(0, exitCode);
        var mean = double.Parse(output.Split("mean ")[1].Split(',')[0], CultureInfo.InvariantCulture);
        Assert.InRange(mean, 883.0, 887.0);
    }

    [Fact]
    public async Task Baseline_UnknownPolicy_FailsToParse()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("env", "baseline", "--policy", "magic");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("magic", error, StringComparison.Ordinal);
    }
}

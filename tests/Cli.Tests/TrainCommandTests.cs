using A3cGrpc.Training.Reporting;

namespace A3cGrpc.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-cli-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Train_SmallStepBudget_WritesTheRunFolderAndASummary()
    {
        var run = Path.Combine(_folder, "run");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "train", "--n-steps", "4", "--seed", "3", "--max-steps", "2000", "--eval-every", "1000", "--eval-episodes", "2", "--run-dir", run);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains("Stopped (StepBudget) after 2,000 env steps", output, StringComparison.Ordinal);
        foreach (var file in new[] { "config.json", "metrics.csv", "learning-curve.png", "checkpoint.a3c", "summary.json" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        }

        var summary = RunSummary.Load(Path.Combine(run, "summary.json"));
        Assert.Equal(4, summary.Hyperparameters.NSteps);
        Assert.Equal(4e-4, summary.Hyperparameters.EffectiveLearningRate);
        Assert.Equal(2, summary.Evaluations);
    }

    [Fact]
    public async Task Train_Resume_KeepsTheStartingSettingsAndContinuesCounting()
    {
        var run = Path.Combine(_folder, "run");
        await CliRunner.RunAsync(
            "train", "--n-steps", "2", "--max-steps", "1000", "--eval-every", "1000", "--eval-episodes", "1", "--run-dir", run);

        // --n-steps on the resuming command line is ignored: the run's config.json wins.
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--resume", run, "--n-steps", "16", "--max-steps", "2000");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        var summary = RunSummary.Load(Path.Combine(run, "summary.json"));
        Assert.Equal(2, summary.Hyperparameters.NSteps);
        Assert.Equal(2000, summary.EnvSteps);
        Assert.Equal(2, summary.Episodes);
    }

    [Fact]
    public async Task Train_ResumeFolderWithoutCheckpoint_ExitsWithClearError()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--resume", Path.Combine(_folder, "missing"));

        Assert.Equal(2, exitCode);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "missing")));
    }

    [Theory]
    [InlineData("--n-steps", "0", "--n-steps must be between")]
    [InlineData("--gamma", "1.5", "--gamma must be in (0, 1]")]
    [InlineData("--learning-rate", "-1", "--learning-rate must be a positive number")]
    [InlineData("--eval-episodes", "0", "--eval-episodes must be between")]
    [InlineData("--max-minutes", "-2", "--max-minutes must be a non-negative number")]
    public async Task Train_BadOption_FailsBeforeTrainingWithItsMessage(string option, string value, string message)
    {
        var run = Path.Combine(_folder, "run");

        var (exitCode, _, error) = await CliRunner.RunAsync("train", option, value, "--run-dir", run);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public async Task Compare_TwoRuns_WritesOnePng()
    {
        var first = Path.Combine(_folder, "first");
        var second = Path.Combine(_folder, "second");
        await CliRunner.RunAsync("train", "--max-steps", "1000", "--eval-every", "500", "--eval-episodes", "1", "--run-dir", first);
        await CliRunner.RunAsync("train", "--max-steps", "1000", "--eval-every", "500", "--eval-episodes", "1", "--seed", "2", "--run-dir", second);
        var png = Path.Combine(_folder, "out", "compare.png");

        var (exitCode, _, error) = await CliRunner.RunAsync("compare", $"seed 1={first}", second, "--out", png);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Equal(0x89, File.ReadAllBytes(png)[0]);
    }

    [Fact]
    public async Task Compare_FolderWithoutMetrics_ExitsWithClearError()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("compare", _folder, "--out", Path.Combine(_folder, "x.png"));

        Assert.Equal(2, exitCode);
        Assert.Contains("has no metrics.csv", error, StringComparison.Ordinal);
    }
}

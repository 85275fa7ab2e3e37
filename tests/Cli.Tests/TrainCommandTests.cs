using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;

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
            "train", "--workers", "0", "--preset", "seed", "--n-steps", "4", "--seed", "3", "--max-steps", "2000", "--eval-every", "1000", "--eval-episodes", "2", "--run-dir", run);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains("Stopped (StepBudget) after 2,000 env steps", output, StringComparison.Ordinal);
        // Not a terminal: one plain line per evaluation.
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("eval  steps", StringComparison.Ordinal)));
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
    public async Task Train_TwoWorkers_RunsTheParameterServerWorkersAndSimulatorsAsProcesses()
    {
        var run = Path.Combine(_folder, "distributed");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "train", "--workers", "2", "--envs-per-worker", "4", "--max-steps", "6000", "--eval-every", "3000", "--eval-episodes", "1", "--run-dir", run);

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}\n{output}");
        Assert.Contains("Training finished: step budget.", output, StringComparison.Ordinal);
        Assert.Contains("worker-2: process", output, StringComparison.Ordinal);
        foreach (var file in new[] { "config.json", "metrics.csv", "learning-curve.png", "checkpoint.a3c", "summary.json", "logs/parameter-server.log", "logs/worker-1.log", "logs/worker-2.log" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        }

        // Without a collector, each process writes its spans as JSON lines.
        foreach (var file in new[] { "parameter-server.spans.jsonl", "worker-1.spans.jsonl", "envsim-worker-1.spans.jsonl" })
        {
            Assert.True(new FileInfo(Path.Combine(run, "telemetry", file)).Length > 0, file);
        }

        var summary = RunSummary.Load(Path.Combine(run, "summary.json"));
        Assert.True(summary.EnvSteps >= 6000, $"{summary.EnvSteps} steps");
        Assert.True(summary.Evaluations >= 2, $"{summary.Evaluations} evaluations");
    }

    [Fact]
    public async Task Train_TwoWorkers_Interrupted_StopsEveryProcessWithAFinalCheckpoint()
    {
        var run = Path.Combine(_folder, "interrupted");
        using var interrupt = new CancellationTokenSource();
        var training = CliRunner.RunAsync(interrupt.Token, "train", "--workers", "2", "--envs-per-worker", "4", "--eval-every", "2000", "--eval-episodes", "1", "--run-dir", run);

        // Interrupt once training is under way (a worker has pushed: the server's log of a finished evaluation or the workers' spans).
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!File.Exists(Path.Combine(run, "telemetry", "worker-1.spans.jsonl")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await interrupt.CancelAsync();
        var (exitCode, output, error) = await training;

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}\n{output}");
        Assert.Contains("Training finished: interrupted.", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.a3c")));
        Assert.Contains("server stopped", File.ReadAllText(Path.Combine(run, "summary.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_Resume_KeepsTheStartingSettingsAndContinuesCounting()
    {
        var run = Path.Combine(_folder, "run");
        await CliRunner.RunAsync(
            "train", "--workers", "0", "--preset", "seed", "--n-steps", "2", "--max-steps", "1000", "--eval-every", "1000", "--eval-episodes", "1", "--run-dir", run);

        // --n-steps on the resuming command line is ignored: the run's config.json wins.
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--resume", run, "--n-steps", "16", "--max-steps", "2000");

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        var summary = RunSummary.Load(Path.Combine(run, "summary.json"));
        Assert.Equal(2, summary.Hyperparameters.NSteps);
        Assert.Equal(2000, summary.EnvSteps);
        Assert.Equal(2, summary.Episodes);
    }

    [Fact]
    public async Task Train_PresetWithOverrides_RecordsEveryResolvedValueAndResumeKeepsThem()
    {
        var run = Path.Combine(_folder, "preset");
        var (firstExit, _, firstError) = await CliRunner.RunAsync(
            "train", "--workers", "0", "--preset", "default", "--set", "GaeLambda=0.9", "--set", "HiddenSizes=32,16", "--envs", "2",
            "--max-steps", "1000", "--eval-every", "1000", "--eval-episodes", "1", "--eval-max-share", "0.5", "--run-dir", run);
        var settings = RunSettings.Load(Path.Combine(run, "config.json"));
        var recorded = settings.Hyperparameters;

        var (exitCode, _, error) = await CliRunner.RunAsync(
            "train", "--workers", "0", "--resume", run, "--preset", "seed", "--set", "GaeLambda=0.5", "--max-steps", "2000");

        Assert.True(firstExit == 0, firstError);
        Assert.True(exitCode == 0, error);
        var expected = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        Assert.Equal(("default", 0.9, 2), (recorded.Preset, recorded.GaeLambda, recorded.Environments));
        Assert.Equal([32, 16], recorded.HiddenSizes!);
        Assert.Equal(expected.Gamma, recorded.Gamma); // the preset's own values, recorded too
        Assert.Equal(0.5, settings.Evaluation.MaxShare);
        var resumed = RunSummary.Load(Path.Combine(run, "summary.json"));
        Assert.Equal(("default", 0.9, 2000L), (resumed.Hyperparameters.Preset, resumed.Hyperparameters.GaeLambda, resumed.EnvSteps));
    }

    [Fact]
    public async Task Train_UnknownSetting_ExitsWithClearError()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--set", "Lambda=0.9", "--run-dir", Path.Combine(_folder, "bad"));

        Assert.Equal(2, exitCode);
        Assert.Contains("'Lambda' is not a hyper-parameter", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "bad")));
    }

    [Fact]
    public async Task Train_ResumeMissingFolder_ExitsWithClearErrorAndCreatesNothing()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--resume", Path.Combine(_folder, "missing"));

        Assert.Equal(2, exitCode);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "missing")));
    }

    [Fact]
    public async Task Train_ResumeFolderWithSettingsButNoCheckpoint_ExitsWithClearError()
    {
        var run = Path.Combine(_folder, "run");
        await CliRunner.RunAsync("train", "--workers", "0", "--max-steps", "10", "--eval-every", "1000", "--eval-episodes", "1", "--run-dir", run);
        File.Delete(Path.Combine(run, "checkpoint.a3c"));

        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--resume", run);

        Assert.Equal(2, exitCode);
        Assert.Contains("has no checkpoint.a3c", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_ResumeEmptyFolder_ExitsNamingTheMissingSettings()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--resume", _folder);

        Assert.Equal(2, exitCode);
        Assert.Contains("No run settings", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_FolderThatHoldsARunWithoutResume_IsRefusedAndLeftUntouched()
    {
        var run = Path.Combine(_folder, "run");
        await CliRunner.RunAsync("train", "--workers", "0", "--max-steps", "1000", "--eval-every", "1000", "--eval-episodes", "1", "--run-dir", run);
        var metricsBefore = await File.ReadAllTextAsync(Path.Combine(run, "metrics.csv"));

        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--max-steps", "1000", "--run-dir", run);

        Assert.Equal(2, exitCode);
        Assert.Contains("already holds a run", error, StringComparison.Ordinal);
        Assert.Equal(metricsBefore, await File.ReadAllTextAsync(Path.Combine(run, "metrics.csv")));
    }

    [Fact]
    public async Task Train_ResumeWithRunDir_IsRefused()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("train", "--workers", "0", "--resume", _folder, "--run-dir", _folder);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot be combined with --run-dir", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Train_DescribesEveryOption()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync("train", "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[]
                 {
                     "--n-steps", "--seed", "--learning-rate", "--gamma", "--max-steps", "--max-minutes", "--no-stop-when-solved",
                     "--eval-every", "--eval-episodes", "--eval-max-share", "--preset", "--set", "--workers", "--envs-per-worker", "--checkpoint-every", "--run-dir", "--resume",
                 })
        {
            var line = output.Split('\n').FirstOrDefault(l => l.Split(' ', ',').Contains(option));
            Assert.True(line is not null, $"{option} is missing from the help");
            Assert.True(line!.Length > option.Length + 25, $"{option} has no description: '{line}'");
        }
    }

    [Theory]
    [InlineData("--n-steps", "0", "NSteps must be between 1 and 10000")]
    [InlineData("--gamma", "1.5", "Gamma must be between 0 and 1")]
    [InlineData("--learning-rate", "-1", "LearningRate must be between")]
    [InlineData("--eval-episodes", "0", "Episodes must be between 1 and 1000")]
    [InlineData("--eval-every", "0", "EveryEnvSteps must be between 1 and")]
    [InlineData("--eval-max-share", "2", "MaxShare must be between 0.001 and 1")]
    [InlineData("--max-minutes", "-2", "--max-minutes must be a non-negative number")]
    [InlineData("--workers", "65", "--workers must be between 0 and 64")]
    [InlineData("--envs-per-worker", "0", "--envs-per-worker must be between 1 and 4096")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every must be between 1 and 86400 seconds")]
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
        await CliRunner.RunAsync("train", "--workers", "0", "--max-steps", "1000", "--eval-every", "500", "--eval-episodes", "1", "--run-dir", first);
        await CliRunner.RunAsync("train", "--workers", "0", "--max-steps", "1000", "--eval-every", "500", "--eval-episodes", "1", "--seed", "2", "--run-dir", second);
        var png = Path.Combine(_folder, "out", "compare.png");

        var (exitCode, _, error) = await CliRunner.RunAsync("compare", $"n = 1, seed 1={first}", second, "--out", png);

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

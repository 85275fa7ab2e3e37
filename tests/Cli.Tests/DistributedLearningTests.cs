using A3cGrpc.Experiments.Reporting;

namespace A3cGrpc.Cli.Tests;

/// <summary>
/// The distributed system learns with its default preset: a short real run (parameter server, two workers and
/// their simulators as processes, as <c>a3c train</c> starts them) reaches, within a fixed step budget, a bar
/// that the same run with the seed preset does not. A3C is asynchronous, so the course differs from run to run;
/// the bar and budget leave room for that (the measurements: docs/experiments.md, "The default preset").
/// </summary>
public sealed class DistributedLearningTests : IDisposable
{
    // Reference scores (10-episode evaluations of μ, docs/environment.md): no force -999.7, a constant push into
    // a rail end -833 to -841 (the seed preset's plateau), uniform random actions -936. Zero needs a policy that
    // swings the pole up and holds it for part of the episode. Measured in one run of this test, by hand, alone on
    // the machine (its folder was not kept): the default preset, seed 1, 32 at 227,000 steps, 124 at 290,000, 199 at
    // 540,000, 662 at 800,000; the seed preset (16 environments per worker, as before presets): -837 at every
    // evaluation from 20,000 to 620,000 steps. A 4-minute run of the default without its learning-rate schedule
    // (docs/results/screening/constant-lr-seed1): 60 at 292,000 steps, 850 at 920,000.
    private const double Bar = 0.0;
    private const string Budget = "600000";

    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-cli-learning-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Train_TwoWorkersFixedStepBudget_DefaultPresetPassesABarTheSeedPresetDoesNot()
    {
        var byDefault = await TrainAsync("default");
        var bySeed = await TrainAsync("seed");

        Assert.True(byDefault.BestEvaluation!.Mean >= Bar, $"default preset: best {byDefault.BestEvaluation.Mean:F1} in {byDefault.EnvSteps} steps; bar {Bar}");
        Assert.True(bySeed.BestEvaluation!.Mean < Bar, $"seed preset: best {bySeed.BestEvaluation.Mean:F1} in {bySeed.EnvSteps} steps; bar {Bar}");
        // The best snapshot was kept and evaluated once more (100 episodes) when the run stopped.
        Assert.NotNull(byDefault.BestPolicy?.Confirmation);
    }

    private async Task<RunSummary> TrainAsync(string preset)
    {
        var run = Path.Combine(_folder, preset);

        var (exitCode, output, error) = await CliRunner.RunAsync(
            "train", "--workers", "2", "--preset", preset, "--seed", "1", "--max-steps", Budget, "--max-minutes", "20", "--eval-episodes", "10", "--run-dir", run);

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}\n{output}");
        return RunSummary.Load(Path.Combine(run, "summary.json"));
    }
}

using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Experiments.SingleProcess;
using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.Tests;

/// <summary>
/// The end-to-end proof that the learner learns: the seed's n = 8 mode with its defaults, a fixed seed and a
/// small budget, must reach an evaluation mean far above anything a policy that has not learned scores; the
/// default preset must solve the task (gym's 800) within a fixed step budget.
/// </summary>
public sealed class LearningTests : IDisposable
{
    // Reference scores, measured on this environment (10-episode evaluations as here, docs/environment.md):
    // - uniform random actions (`a3c env baseline`): -936 per episode (std 31 over 100), so a 10-episode mean of -936 ± 10;
    // - no force: -999.7; a constant push of +1 or -1: -833 to -841 (the cart rests against a rail end);
    // - the untrained μ policy (evaluated after one step, before any update): -966, -804, -949 for seeds 1, 2, 3;
    // - a saturated μ = clamp(2·tanh(z), -1, 1), the seed's known plateau: -837 ± 4, the constant-push range.
    // The bar sits about 300 above the best of these. Measured with seed 1 (docs/results/seed-n8/metrics.csv, the
    // same settings): -837.3 at 20,000 steps (the plateau), then 66.1 at 40,000, where this test stops (about 20 s).
    // The budget leaves room for the plateau-then-breakthrough course that earlier versions of the code showed
    // (breakthroughs at about 160,000 and 380,000 steps).
    private const double Bar = -500.0;
    private const long Budget = 700_000;

    // The default preset (deterministic in one process): gym's threshold of 800, which the seed's n = 8 mode never
    // reached in three runs (docs/experiments.md). Measured with seed 1 (docs/experiments.md, the ablation's default
    // row): solved, 888.1, at 1,661,824 steps; seeds 2-5 at 0.73M-1.53M.
    private const double SolvedBar = 800.0;
    private const long DefaultBudget = 2_000_000;

    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-learning-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Run_SeedDefaultsNStep8FixedSeed_EvaluationMeanRisesFarAboveUntrainedPolicies()
    {
        using var reached = new CancellationTokenSource();
        var trainer = new NStepTrainer(
            new A3cHyperparameters { NSteps = 8 },
            new TrainingOptions { Seed = 1, MaxEnvSteps = Budget, MaxDuration = null },
            new EvaluationOptions { EveryEnvSteps = 20_000, Episodes = 10, MaxShare = 1 },
            new RunFolder(_folder));

        var summary = trainer.Run(new StopAtBar(reached), resume: false, reached.Token);

        Assert.True(
            summary.BestEvaluation!.Mean >= Bar,
            $"best evaluation mean {summary.BestEvaluation.Mean:F1} after {summary.EnvSteps} steps; bar {Bar}");
        // It stopped because the bar was reached (the observer cancels), not because the budget ran out.
        Assert.Equal(nameof(StopReason.Cancelled), summary.StopReason);
    }

    [Fact]
    public void Run_DefaultPresetFixedSeed_SolvesTheSwingUpWithinItsStepBudget()
    {
        var trainer = new NStepTrainer(
            HyperparameterPresets.Create(HyperparameterPresets.DefaultName),
            new TrainingOptions { Seed = 1, MaxEnvSteps = DefaultBudget, MaxDuration = null },
            new EvaluationOptions { EveryEnvSteps = 20_000, Episodes = 10, MaxShare = 1 },
            new RunFolder(_folder));

        var summary = trainer.Run(observer: null, resume: false, CancellationToken.None);

        // It stops by itself at the first evaluation of mean >= 800, well inside the budget.
        Assert.True(
            summary.StopReason == nameof(StopReason.Solved),
            $"stopped ({summary.StopReason}) after {summary.EnvSteps} steps; best evaluation mean {summary.BestEvaluation?.Mean:F1}");
        Assert.True(summary.Solved!.Mean >= SolvedBar);
    }

    private sealed class StopAtBar(CancellationTokenSource reached) : ITrainingObserver
    {
        public void OnEpisode(TrainingEpisode episode)
        {
        }

        public void OnEvaluation(EvaluationResult evaluation, TrainingProgress progress)
        {
            if (evaluation.Mean >= Bar)
            {
                reached.Cancel();
            }
        }

        public void OnProgress(TrainingProgress progress)
        {
        }
    }
}

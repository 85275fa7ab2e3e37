using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Experiments.SingleProcess;
using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.Tests;

public sealed class NStepTrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("a3c-trainer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static RunSummary Train(RunFolder folder, long maxSteps, bool resume = false, int seed = 5, int nSteps = 8) =>
        new NStepTrainer(
                new A3cHyperparameters { NSteps = nSteps },
                new TrainingOptions { Seed = seed, MaxEnvSteps = maxSteps, MaxDuration = null },
                new EvaluationOptions { EveryEnvSteps = 1000, Episodes = 2, MaxShare = 1 },
                folder)
            .Run(observer: null, resume, CancellationToken.None);

    [Fact]
    public void Run_StepBudget_StopsThereAndLeavesACompleteRunFolder()
    {
        var folder = new RunFolder(Path.Combine(_root, "run"));

        var summary = Train(folder, maxSteps: 2500);

        Assert.Equal(nameof(StopReason.StepBudget), summary.StopReason);
        Assert.Equal(2500, summary.EnvSteps);
        Assert.Equal(2, summary.Episodes); // 1000-step episodes
        Assert.Equal(2500, summary.LastEvaluation!.EnvSteps); // a final evaluation where the run stopped
        // n = 8 divides 1000, so each episode is 125 full windows; the last 500 steps make 62 full windows
        // and 4 transitions left in the buffer when the budget stops the run.
        Assert.Equal(125 + 125 + 62, summary.Updates);
        Assert.Equal(3, summary.Evaluations);
        Assert.True(File.Exists(folder.Checkpoint));
        Assert.True(File.Exists(folder.LearningCurvePng));
        Assert.Equal(summary.EnvSteps, RunSummary.Load(folder.SummaryJson).EnvSteps);
        var history = MetricsHistory.Read(folder.MetricsCsv);
        Assert.Equal([1000L, 2000L], history.Episodes.Select(e => e.EnvSteps));
        Assert.Equal([1000L, 2000L, 2500L], history.Evaluations.Select(e => e.EnvSteps));
        Assert.All(history.Evaluations, e => Assert.Equal(2, e.Episodes));
    }

    [Fact]
    public void Run_SameSeedTwice_GivesIdenticalReturns()
    {
        var first = Train(new RunFolder(Path.Combine(_root, "a")), maxSteps: 2000);
        var second = Train(new RunFolder(Path.Combine(_root, "b")), maxSteps: 2000);
        var third = Train(new RunFolder(Path.Combine(_root, "c")), maxSteps: 2000, seed: 6);

        double[] TrainingReturns(string run) =>
            [.. MetricsHistory.Read(Path.Combine(_root, run, "metrics.csv")).Episodes.Select(e => e.Return)];

        Assert.Equal(first.LastEvaluation!.Returns, second.LastEvaluation!.Returns);
        Assert.Equal(TrainingReturns("a"), TrainingReturns("b"));
        // Evaluation returns can coincide across seeds (an early μ often saturates at the ±1 clamp), but the
        // sampled training episodes cannot.
        Assert.NotEqual(TrainingReturns("a"), TrainingReturns("c"));
        Assert.Equal(2000, third.EnvSteps);
    }

    [Fact]
    public void Run_NStepsNotDividingTheEpisode_UpdatesOnceMoreWithTheLeftoverWindow()
    {
        var summary = Train(new RunFolder(Path.Combine(_root, "run")), maxSteps: 2000, nSteps: 3);

        // 1000 = 333 * 3 + 1: each episode makes 333 full windows and one more of a single transition.
        Assert.Equal(2 * 334, summary.Updates);
    }

    [Fact]
    public void Run_Resume_ContinuesCountersAndHistory()
    {
        var folder = new RunFolder(Path.Combine(_root, "run"));
        Train(folder, maxSteps: 2000);
        // The clock resumes where the checkpoint left it (not where the first summary was written: confirming the
        // best policy and drawing the curve come after the last checkpoint).
        using var reader = new GlobalLearner(new A3cHyperparameters { NSteps = 8 }, seed: 5);
        var checkpointed = reader.LoadCheckpoint(folder.Checkpoint).Counters;
        // A row written after the last checkpoint, as by a crash between the two: resuming must drop it,
        // and a row torn mid-write must not stop the resume.
        File.AppendAllText(folder.MetricsCsv, "train,2500,99,3,-1.5,,,,,,\ntrain,26");

        var resumed = Train(folder, maxSteps: 3000, resume: true);

        Assert.True(resumed.WallSeconds > checkpointed.ElapsedSeconds);
        Assert.Equal(3000, resumed.EnvSteps);
        Assert.Equal(3, resumed.Episodes);
        Assert.Equal(3, resumed.Evaluations);
        var history = MetricsHistory.Read(folder.MetricsCsv);
        Assert.Equal([1L, 2L, 3L], history.Episodes.Select(e => e.Episode));
        Assert.Equal([1000L, 2000L, 3000L], history.Evaluations.Select(e => e.EnvSteps));
    }

    [Fact]
    public void Run_ResumeWithoutCheckpoint_ThrowsClearError()
    {
        var folder = new RunFolder(Path.Combine(_root, "empty"));

        var error = Assert.ThrowsAny<Exception>(() => Train(folder, maxSteps: 100, resume: true));

        Assert.Contains("checkpoint", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Run_ObserverThrows_WritesAFailedSummaryAndRethrows()
    {
        var folder = new RunFolder(Path.Combine(_root, "run"));
        var trainer = new NStepTrainer(
            new A3cHyperparameters(), new TrainingOptions { MaxDuration = null, MaxEnvSteps = 5000 },
            new EvaluationOptions { EveryEnvSteps = 1000, Episodes = 1, MaxShare = 1 }, folder);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Run(new ThrowingObserver(), resume: false, CancellationToken.None));

        Assert.Equal("boom", error.Message);
        var summary = RunSummary.Load(folder.SummaryJson);
        Assert.Equal("Failed: InvalidOperationException: boom", summary.StopReason);
        Assert.Equal(1000, summary.EnvSteps);
        Assert.True(File.Exists(folder.LearningCurvePng));
    }

    [Fact]
    public void Run_CancelledBeforeStart_TakesNoStepAndStillCheckpoints()
    {
        var folder = new RunFolder(Path.Combine(_root, "run"));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var summary = new NStepTrainer(
                new A3cHyperparameters(), new TrainingOptions { MaxDuration = null, MaxEnvSteps = 10_000 }, new EvaluationOptions(), folder)
            .Run(observer: null, resume: false, cancelled.Token);

        Assert.Equal(nameof(StopReason.Cancelled), summary.StopReason);
        Assert.Equal(0, summary.EnvSteps);
        Assert.Equal(0, summary.Evaluations);
        Assert.True(File.Exists(folder.Checkpoint));
    }

    [Fact]
    public void Run_KEnvironmentsStaggered_UpdatesEveryNStepsAndRecordsOnlyWholeEpisodes()
    {
        // K = 4, n = 8, 2,400 lock-step rounds (9,600 steps): first episodes cut at 250/500/750/1000 steps, then whole
        // 1000-step episodes: environment 0 ends whole ones at 1250 and 2250, 1 at 1500, 2 at 1750, 3 at 1000 and 2000.
        var folder = new RunFolder(Path.Combine(_root, "staggered"));
        var hyperparameters = new A3cHyperparameters { Environments = 4, StaggerEpisodes = true, HiddenSizes = [16] };

        var summary = new NStepTrainer(
                hyperparameters, new TrainingOptions { MaxEnvSteps = 9600, MaxDuration = null },
                new EvaluationOptions { EveryEnvSteps = 100_000, Episodes = 1, MaxShare = 1 }, folder)
            .Run(observer: null, resume: false, CancellationToken.None);

        Assert.Equal(9600, summary.EnvSteps);
        Assert.Equal(2400 / 8, summary.Updates); // every n steps, whatever episode ends fall inside
        Assert.Equal(6, summary.Episodes);
        Assert.Equal(
            [1000L * 4, 1250L * 4, 1500L * 4, 1750L * 4, 2000L * 4, 2250L * 4],
            MetricsHistory.Read(folder.MetricsCsv).Episodes.Select(e => e.EnvSteps));
    }

    [Fact]
    public void Run_KEnvironmentsInLockStep_EveryEpisodeEndsTogether()
    {
        var folder = new RunFolder(Path.Combine(_root, "lockstep"));
        var hyperparameters = new A3cHyperparameters { Environments = 4, HiddenSizes = [16] };

        var summary = new NStepTrainer(
                hyperparameters, new TrainingOptions { MaxEnvSteps = 8000, MaxDuration = null },
                new EvaluationOptions { EveryEnvSteps = 100_000, Episodes = 1, MaxShare = 1 }, folder)
            .Run(observer: null, resume: false, CancellationToken.None);

        Assert.Equal(8, summary.Episodes);
        Assert.Equal(2 * 125, summary.Updates);
        Assert.Equal([4000L, 4000, 4000, 4000, 8000, 8000, 8000, 8000], MetricsHistory.Read(folder.MetricsCsv).Episodes.Select(e => e.EnvSteps));
    }

    private sealed class ThrowingObserver : ITrainingObserver
    {
        public void OnEpisode(TrainingEpisode episode)
        {
        }

        public void OnEvaluation(EvaluationResult evaluation, TrainingProgress progress) => throw new InvalidOperationException("boom");

        public void OnProgress(TrainingProgress progress)
        {
        }
    }
}

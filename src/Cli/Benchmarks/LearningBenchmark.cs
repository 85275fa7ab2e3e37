using A3cGrpc.Cli.Launcher;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Experiments.SingleProcess;
using A3cGrpc.Learning;
using ScottPlot;
using BestPolicy = A3cGrpc.Experiments.Evaluation.BestPolicy;

namespace A3cGrpc.Cli.Benchmarks;

/// <summary>What one seed of a learning benchmark reached.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="RunDirectory">Its run folder (metrics.csv, curve, summary.json, best-policy.a3c).</param>
/// <param name="WallSeconds">Training time.</param>
/// <param name="EnvSteps">Environment steps.</param>
/// <param name="Updates">Applied updates.</param>
/// <param name="EnvStepsPerSecond">Environment steps per second over the run.</param>
/// <param name="UpdatesPerSecond">Updates per second over the run.</param>
/// <param name="MeanStaleness">Mean staleness of the applied pushes (distributed runs; averaged over the status reports).</param>
/// <param name="Milestones">The first evaluation at or above each threshold (400, 800, 870), or null.</param>
/// <param name="Best">The best evaluation.</param>
/// <param name="Final">The last evaluation (at the end of the budget).</param>
/// <param name="BestPolicy">The best policy and its confirming evaluation on 100 other episodes.</param>
/// <param name="FinalBelowBestBy">How far the last evaluation fell below the best.</param>
/// <param name="Curve">Every evaluation: wall seconds, environment steps, mean.</param>
internal sealed record SeedOutcome(
    int Seed,
    string RunDirectory,
    double WallSeconds,
    long EnvSteps,
    long Updates,
    double EnvStepsPerSecond,
    double UpdatesPerSecond,
    double? MeanStaleness,
    IReadOnlyList<ThresholdReached?> Milestones,
    EvaluationResult? Best,
    EvaluationResult? Final,
    BestPolicy? BestPolicy,
    double? FinalBelowBestBy,
    IReadOnlyList<CurvePoint> Curve);

/// <summary>The first evaluation at or above <paramref name="Threshold"/>.</summary>
internal sealed record ThresholdReached(double Threshold, double Mean, double WallSeconds, long EnvSteps);

/// <summary>One evaluation on a curve.</summary>
internal sealed record CurvePoint(double WallSeconds, long EnvSteps, double Mean);

/// <summary>What every seed reached together: medians and counts.</summary>
internal sealed record LearningAggregate(
    int Seeds,
    IReadOnlyList<ThresholdSummary> Thresholds,
    double MedianBest,
    double MedianFinal,
    double? MedianConfirmedBest,
    int SeedsWithConfirmedBestAtLeast800,
    int SeedsEndingMoreThan100BelowTheirBest,
    double MedianEnvStepsPerSecond,
    double MedianUpdatesPerSecond);

/// <summary>How many seeds reached a threshold, and the median wall time and steps to it (unreached seeds count as never).</summary>
internal sealed record ThresholdSummary(double Threshold, int SeedsReached, double? MedianWallSeconds, double? MedianEnvSteps, double? SlowestWallSeconds);

/// <summary>
/// <c>a3c bench learning</c>: runs the real system exactly as <c>a3c train</c> does (the parameter server, workers and
/// EnvSims as processes, or the single process with no workers), one seed after another, each under the same budget,
/// without stopping when solved (so a late collapse shows), and reports per seed and over all seeds.
/// </summary>
internal static class LearningBenchmark
{
    /// <summary>The thresholds reported: the seed report's bar, gym's solved, and the best published scores' level.</summary>
    public static readonly double[] Thresholds = [400, 800, 870];

    /// <summary>Runs one seed and reads back what it reached.</summary>
    public static async Task<SeedOutcome> RunSeedAsync(
        A3cHyperparameters hyperparameters,
        EvaluationOptions evaluation,
        int seed,
        int workers,
        TimeSpan budget,
        long? maxSteps,
        string runDirectory,
        bool stopWhenSolved,
        ILocalClusterObserver observer,
        CancellationToken cancellationToken)
    {
        var settings = new RunSettings(hyperparameters, seed, evaluation);
        var folder = new RunFolder(runDirectory);
        settings.Save(folder.ConfigJson);
        var staleness = new List<double>();
        if (workers == 0)
        {
            var trainer = new NStepTrainer(
                hyperparameters,
                new TrainingOptions { Seed = seed, MaxDuration = budget, MaxEnvSteps = maxSteps, StopWhenSolved = stopWhenSolved },
                evaluation,
                folder);
            await Task.Run(() => trainer.Run(null, resume: false, cancellationToken), CancellationToken.None);
        }
        else
        {
            var recording = new StalenessRecorder(observer, staleness);
            var cluster = new LocalCluster(
                new LocalClusterSettings(settings, folder.Path, workers, maxSteps, budget.TotalSeconds, stopWhenSolved), recording);
            await cluster.RunAsync(cancellationToken);
        }

        return Read(seed, folder, staleness);
    }

    /// <summary>The outcome of a finished run folder.</summary>
    public static SeedOutcome Read(int seed, RunFolder folder, IReadOnlyList<double> staleness)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var summary = RunSummary.Load(folder.SummaryJson);
        var evaluations = MetricsHistory.Read(folder.MetricsCsv).Evaluations;
        var milestones = Thresholds
            .Select(t => evaluations.FirstOrDefault(e => e.Mean >= t) is { } e ? new ThresholdReached(t, e.Mean, e.WallSeconds, e.EnvSteps) : null)
            .ToArray();
        var best = evaluations.Count > 0 ? evaluations.MaxBy(e => e.Mean) : null;
        var final = evaluations.Count > 0 ? evaluations[^1] : null;
        return new SeedOutcome(
            seed,
            folder.Path,
            summary.WallSeconds,
            summary.EnvSteps,
            summary.Updates,
            summary.EnvSteps / Math.Max(summary.WallSeconds, 1e-9),
            summary.Updates / Math.Max(summary.WallSeconds, 1e-9),
            staleness.Count > 0 ? staleness.Average() : null,
            milestones,
            best,
            final,
            summary.BestPolicy,
            best is not null && final is not null ? best.Mean - final.Mean : null,
            [.. evaluations.Select(e => new CurvePoint(e.WallSeconds, e.EnvSteps, e.Mean))]);
    }

    /// <summary>Medians and counts over the seeds.</summary>
    public static LearningAggregate Aggregate(IReadOnlyList<SeedOutcome> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var thresholds = Thresholds.Select((t, i) =>
        {
            var reached = seeds.Select(s => s.Milestones[i]).OfType<ThresholdReached>().ToArray();
            // A seed that never reached the threshold is slower than any that did: the median is over all seeds.
            double? MedianOverAll(Func<ThresholdReached, double> value)
            {
                var values = seeds.Select(s => s.Milestones[i] is { } m ? value(m) : double.PositiveInfinity).ToArray();
                var median = Median(values);
                return double.IsFinite(median) ? median : null;
            }

            return new ThresholdSummary(
                t, reached.Length, MedianOverAll(m => m.WallSeconds), MedianOverAll(m => m.EnvSteps),
                reached.Length == seeds.Count && reached.Length > 0 ? reached.Max(m => m.WallSeconds) : null);
        }).ToArray();
        var confirmed = seeds.Select(s => s.BestPolicy?.Confirmation?.Mean).OfType<double>().ToArray();
        return new LearningAggregate(
            seeds.Count,
            thresholds,
            Median([.. seeds.Select(s => s.Best?.Mean ?? double.NaN)]),
            Median([.. seeds.Select(s => s.Final?.Mean ?? double.NaN)]),
            confirmed.Length > 0 ? Median(confirmed) : null,
            confirmed.Count(m => m >= 800),
            seeds.Count(s => s.FinalBelowBestBy > 100),
            Median([.. seeds.Select(s => s.EnvStepsPerSecond)]),
            Median([.. seeds.Select(s => s.UpdatesPerSecond)]));
    }

    /// <summary>Every seed's evaluation curve against wall-clock minutes, and their median on a common grid.</summary>
    public static void SavePlot(string path, string title, IReadOnlyList<SeedOutcome> seeds, EvaluationOptions thresholds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        using var plot = new Plot();
        plot.Title(title);
        plot.XLabel("wall-clock minutes");
        plot.YLabel("evaluation mean return (deterministic policy)");
        foreach (var seed in seeds)
        {
            var line = plot.Add.Scatter(
                seed.Curve.Select(p => p.WallSeconds / 60).ToArray(), seed.Curve.Select(p => p.Mean).ToArray());
            line.LineWidth = 1;
            line.MarkerSize = 3;
            line.LegendText = $"seed {seed.Seed}";
        }

        var end = seeds.Count > 0 ? seeds.Max(s => s.WallSeconds) : 0;
        var grid = Enumerable.Range(0, 201).Select(i => end * i / 200).ToArray();
        var median = grid.Select(t => Median([.. seeds.Select(s => ValueAt(s.Curve, t))])).ToArray();
        var medianLine = plot.Add.Scatter(grid.Select(t => t / 60).ToArray(), median);
        medianLine.LineWidth = 4;
        medianLine.MarkerSize = 0;
        medianLine.Color = Colors.Black;
        medianLine.LegendText = "median of the seeds";
        LearningCurvePlot.AddThresholds(plot, thresholds);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, LearningCurvePlot.Width, 2 * LearningCurvePlot.PanelHeight);
    }

    /// <summary>The curve's value at <paramref name="seconds"/>: the latest evaluation at or before it (NaN before the first).</summary>
    internal static double ValueAt(IReadOnlyList<CurvePoint> curve, double seconds)
    {
        var value = double.NaN;
        foreach (var point in curve)
        {
            if (point.WallSeconds > seconds)
            {
                break;
            }

            value = point.Mean;
        }

        return value;
    }

    /// <summary>The median of the finite-or-infinite values, ignoring NaN (NaN when none).</summary>
    internal static double Median(double[] values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Passes everything on and keeps the staleness of every progress report.</summary>
    private sealed class StalenessRecorder(ILocalClusterObserver inner, List<double> staleness) : ILocalClusterObserver
    {
        public void OnMessage(string message) => inner.OnMessage(message);

        public void OnProgress(Progress progress)
        {
            if (progress.UpdatesPerSecond > 0)
            {
                staleness.Add(progress.MeanStaleness);
            }

            inner.OnProgress(progress);
        }

        public void OnEvaluation(EvaluationRecord evaluation) => inner.OnEvaluation(evaluation);

        public void OnSolved(Solved solved) => inner.OnSolved(solved);
    }
}

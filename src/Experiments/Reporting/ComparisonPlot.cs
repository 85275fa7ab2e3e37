using ScottPlot;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>
/// Overlays the evaluation means of several runs, against environment steps (top) and wall-clock minutes
/// (bottom), so that runs of different settings can be compared on one image.
/// </summary>
public static class ComparisonPlot
{
    /// <summary>Writes the PNG; each run is (legend label, history read from its metrics.csv).</summary>
    public static void Save(string path, IReadOnlyList<(string Label, MetricsHistory History)> runs, Evaluation.EvaluationOptions thresholds)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (runs.Count == 0)
        {
            throw new ArgumentException("Nothing to compare: no runs given.", nameof(runs));
        }

        using var bySteps = Panel("evaluation mean against environment steps", "environment steps", runs, e => e.EnvSteps, thresholds);
        using var byTime = Panel("evaluation mean against wall-clock time", "wall-clock minutes", runs, e => e.WallSeconds / 60.0, thresholds);
        LearningCurvePlot.SaveTwoPanels(path, bySteps, byTime);
    }

    private static Plot Panel(
        string title,
        string xLabel,
        IReadOnlyList<(string Label, MetricsHistory History)> runs,
        Func<Evaluation.EvaluationResult, double> x,
        Evaluation.EvaluationOptions thresholds)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("evaluation mean return");
        foreach (var (label, history) in runs)
        {
            double[] xs = [.. history.Evaluations.Select(x)];
            double[] means = [.. history.Evaluations.Select(e => e.Mean)];
            var line = plot.Add.Scatter(xs, means);
            line.LineWidth = 2;
            line.MarkerSize = 4;
            line.LegendText = label;
        }

        LearningCurvePlot.AddThresholds(plot, thresholds);
        return plot;
    }
}

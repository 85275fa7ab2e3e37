using A3cGrpc.Experiments.Evaluation;
using ScottPlot;
using SkiaSharp;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>
/// Draws the learning curve as one PNG with two panels: training-episode returns and evaluation
/// mean ± std against environment steps (top) and against wall-clock minutes (bottom), with the seed's
/// bar (400) and gym's solved threshold (800) as reference lines.
/// </summary>
public static class LearningCurvePlot
{
    /// <summary>Image width in pixels.</summary>
    public const int Width = 1200;

    /// <summary>Height in pixels of each of the two panels.</summary>
    public const int PanelHeight = 450;

    /// <summary>Writes the PNG to <paramref name="path"/> (through a temporary file and a rename).</summary>
    public static void Save(
        string path,
        string title,
        IReadOnlyList<TrainingEpisode> episodes,
        IReadOnlyList<EvaluationResult> evaluations,
        EvaluationOptions thresholds)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        ArgumentNullException.ThrowIfNull(evaluations);
        ArgumentNullException.ThrowIfNull(thresholds);

        using var bySteps = BuildPanel(
            $"{title}: return against environment steps", "environment steps",
            [.. episodes.Select(e => (double)e.EnvSteps)], [.. evaluations.Select(e => (double)e.EnvSteps)],
            episodes, evaluations, thresholds);
        using var byTime = BuildPanel(
            "return against wall-clock time", "wall-clock minutes",
            [.. episodes.Select(e => e.WallSeconds / 60.0)], [.. evaluations.Select(e => e.WallSeconds / 60.0)],
            episodes, evaluations, thresholds);

        SaveTwoPanels(path, bySteps, byTime);
    }

    /// <summary>Stacks two plots into one PNG, written through a temporary file and a rename.</summary>
    internal static void SaveTwoPanels(string path, Plot top, Plot bottom)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, 2 * PanelHeight));
        surface.Canvas.Clear(SKColors.White);
        DrawPanel(surface.Canvas, top, top: 0);
        DrawPanel(surface.Canvas, bottom, top: PanelHeight);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        var temp = path + ".tmp";
        using (var file = File.Create(temp))
        {
            png.SaveTo(file);
        }

        File.Move(temp, path, overwrite: true);
    }

    // Each panel renders on a surface of its own and is then drawn into place: Plot.Render owns its whole canvas.
    private static void DrawPanel(SKCanvas canvas, Plot plot, int top)
    {
        using var panel = SKSurface.Create(new SKImageInfo(Width, PanelHeight));
        plot.Render(panel);
        using var image = panel.Snapshot();
        canvas.DrawImage(image, 0, top);
    }

    private static Plot BuildPanel(
        string title,
        string xLabel,
        double[] episodeX,
        double[] evaluationX,
        IReadOnlyList<TrainingEpisode> episodes,
        IReadOnlyList<EvaluationResult> evaluations,
        EvaluationOptions thresholds)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("episode return");

        if (episodes.Count > 0)
        {
            var training = plot.Add.ScatterPoints(episodeX, [.. episodes.Select(e => e.Return)]);
            training.Color = Colors.Gray.WithAlpha(0.35);
            training.MarkerSize = 3;
            training.LegendText = "training episode";
        }

        if (evaluations.Count > 0)
        {
            double[] mean = [.. evaluations.Select(e => e.Mean)];
            if (evaluations.Count > 1)
            {
                var band = plot.Add.FillY(
                    evaluationX,
                    [.. evaluations.Select(e => e.Mean - e.Std)],
                    [.. evaluations.Select(e => e.Mean + e.Std)]);
                band.FillColor = Colors.Blue.WithAlpha(0.2);
                band.LegendText = "evaluation ± std";
            }

            var line = plot.Add.Scatter(evaluationX, mean);
            line.Color = Colors.Blue;
            line.LineWidth = 2;
            line.MarkerSize = 5;
            line.LegendText = $"evaluation mean ({evaluations[0].Episodes} episodes, μ policy)";
        }

        AddThresholds(plot, thresholds);
        return plot;
    }

    /// <summary>The seed's bar and gym's solved threshold as dashed lines, with a fixed return axis.</summary>
    public static void AddThresholds(Plot plot, EvaluationOptions thresholds)
    {
        var progress = plot.Add.HorizontalLine(thresholds.ProgressThreshold);
        progress.Color = Colors.Orange;
        progress.LinePattern = LinePattern.Dashed;
        progress.LegendText = $"seed's bar ({thresholds.ProgressThreshold:0})";
        var solved = plot.Add.HorizontalLine(thresholds.SolvedThreshold);
        solved.Color = Colors.Green;
        solved.LinePattern = LinePattern.Dashed;
        solved.LegendText = $"solved ({thresholds.SolvedThreshold:0})";
        plot.Axes.SetLimitsY(-1050, 1000);
        plot.ShowLegend(Alignment.UpperLeft);
    }
}

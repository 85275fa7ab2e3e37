using System.Globalization;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Experiments.SingleProcess;
using Spectre.Console;

namespace A3cGrpc.Cli.Console;

/// <summary>
/// Shows a run's progress: a live table on an interactive terminal, plain lines (one per evaluation and
/// one every 30 seconds) when output is redirected, as in CI.
/// </summary>
internal sealed class TrainingConsole(IAnsiConsole console, bool interactive) : ITrainingObserver
{
    private static readonly TimeSpan _plainStatusInterval = TimeSpan.FromSeconds(30);
    private readonly List<EvaluationResult> _evaluations = [];
    private TrainingProgress? _latest;
    private LiveDisplayContext? _live;
    private double _nextPlainStatusAt = _plainStatusInterval.TotalSeconds;

    /// <summary>True when the console can redraw in place.</summary>
    public static bool IsInteractive(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> under the live display (interactive) or directly (plain).</summary>
    public T Run<T>(Func<T> work)
    {
        if (!interactive)
        {
            // Redirected output has no width; keep each status on one line for logs.
            console.Profile.Width = Math.Max(console.Profile.Width, 200);
            return work();
        }

        var result = default(T)!;
        console.Live(Render()).AutoClear(false).Start(context =>
        {
            _live = context;
            result = work();
            context.UpdateTarget(Render());
        });
        _live = null;
        return result;
    }

    public void OnEpisode(TrainingEpisode episode)
    {
    }

    public void OnEvaluation(EvaluationResult evaluation, TrainingProgress progress)
    {
        _evaluations.Add(evaluation);
        _latest = progress;
        if (_live is { } live)
        {
            live.UpdateTarget(Render());
            return;
        }

        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"eval  steps {evaluation.EnvSteps,9}  wall {Minutes(evaluation.WallSeconds)}  mean {evaluation.Mean,8:F1} ± {evaluation.Std,6:F1}  [[{evaluation.Min:F1}, {evaluation.Max:F1}]]  best {progress.BestEvaluation?.Mean ?? evaluation.Mean:F1}");
        if (progress.Solved is { } solved && solved.EnvSteps == evaluation.EnvSteps)
        {
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"[green]Solved[/]: evaluation mean {solved.Mean:F1} ≥ {solved.Threshold:F0} after {solved.EnvSteps} steps, {Minutes(solved.WallSeconds)}");
        }
    }

    public void OnProgress(TrainingProgress progress)
    {
        _latest = progress;
        if (_live is { } live)
        {
            live.UpdateTarget(Render());
            return;
        }

        if (progress.WallSeconds >= _nextPlainStatusAt)
        {
            _nextPlainStatusAt = progress.WallSeconds + _plainStatusInterval.TotalSeconds;
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"train steps {progress.EnvSteps,9}  wall {Minutes(progress.WallSeconds)}  {progress.EnvStepsPerSecond,6:F0} steps/s  episodes {progress.Episodes}  recent return {Format(progress.RecentMeanReturn)}");
        }
    }

    private Rows Render()
    {
        var p = _latest;
        var status = new Grid().AddColumn().AddColumn();
        status.AddRow("env steps", p is null ? "-" : p.EnvSteps.ToString("N0", CultureInfo.InvariantCulture));
        status.AddRow("wall time", p is null ? "-" : Minutes(p.WallSeconds));
        status.AddRow("steps/s", p is null ? "-" : p.EnvStepsPerSecond.ToString("F0", CultureInfo.InvariantCulture));
        status.AddRow("episodes / updates", p is null ? "-" : $"{p.Episodes} / {p.Updates}");
        status.AddRow("last / recent return", p is null ? "-" : $"{Format(p.LastEpisodeReturn)} / {Format(p.RecentMeanReturn)}");
        status.AddRow("best evaluation", Format(p?.BestEvaluation?.Mean));
        status.AddRow("first mean ≥ 400", Milestone(p?.Progress));
        status.AddRow("solved (mean ≥ 800)", Milestone(p?.Solved));

        var table = new Table().Border(TableBorder.Rounded).Title("evaluations (μ policy)")
            .AddColumns("env steps", "wall", "mean", "std", "min", "max");
        foreach (var e in _evaluations.TakeLast(8))
        {
            table.AddRow(
                e.EnvSteps.ToString("N0", CultureInfo.InvariantCulture), Minutes(e.WallSeconds),
                e.Mean.ToString("F1", CultureInfo.InvariantCulture), e.Std.ToString("F1", CultureInfo.InvariantCulture),
                e.Min.ToString("F1", CultureInfo.InvariantCulture), e.Max.ToString("F1", CultureInfo.InvariantCulture));
        }

        return new Rows(new Panel(status).Header("training").Border(BoxBorder.Rounded), table);
    }

    private static string Milestone(Milestone? m) => m is null
        ? "not yet"
        : string.Create(CultureInfo.InvariantCulture, $"{m.Mean:F1} at {m.EnvSteps:N0} steps, {Minutes(m.WallSeconds)}");

    private static string Format(double? value) =>
        value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Minutes(double seconds) =>
        TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}

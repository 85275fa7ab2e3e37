using System.Globalization;
using A3cGrpc.Cli.Launcher;
using A3cGrpc.Contracts.V1;
using Spectre.Console;
using Progress = A3cGrpc.Contracts.V1.Progress;

namespace A3cGrpc.Cli.Console;

/// <summary>
/// Shows a distributed run's progress: a live table on an interactive terminal, plain lines (each evaluation, and a
/// status line every 30 seconds) when output is redirected.
/// </summary>
internal sealed class ClusterConsole(IAnsiConsole console, bool interactive) : ILocalClusterObserver
{
    private static readonly TimeSpan _plainStatusInterval = TimeSpan.FromSeconds(30);
    private readonly List<EvaluationRecord> _evaluations = [];
    private readonly List<string> _messages = [];
    private readonly Lock _gate = new();
    private Progress? _latest;
    private Solved? _solved;
    private LiveDisplayContext? _live;
    private DateTime _nextPlainStatus = DateTime.UtcNow + _plainStatusInterval;

    /// <summary>Runs <paramref name="work"/> under the live display (interactive) or directly (plain).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        if (!interactive)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 200);
            return await work();
        }

        return await console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            _live = context;
            var result = await work();
            context.UpdateTarget(Render());
            _live = null;
            return result;
        });
    }

    public void OnMessage(string message)
    {
        lock (_gate)
        {
            if (Update(() => _messages.Add(message)))
            {
                return;
            }

            console.WriteLine(message);
        }
    }

    public void OnProgress(Progress progress)
    {
        lock (_gate)
        {
            if (Update(() => _latest = progress) || DateTime.UtcNow < _nextPlainStatus)
            {
                return;
            }

            _nextPlainStatus = DateTime.UtcNow + _plainStatusInterval;
            var c = progress.Counters;
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train steps {c.EnvironmentSteps,9}  wall {Minutes(c.ElapsedSeconds)}  {progress.EnvironmentStepsPerSecond,6:F0} steps/s  {progress.UpdatesPerSecond,5:F0} updates/s  staleness {progress.MeanStaleness:F2}  version {c.ModelVersion}  recent return {Format(progress.RecentEpisodeReturn)}"));
        }
    }

    public void OnEvaluation(EvaluationRecord evaluation)
    {
        lock (_gate)
        {
            if (Update(() => _evaluations.Add(evaluation)))
            {
                return;
            }

            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"eval  steps {evaluation.EnvironmentSteps,9}  wall {Minutes(evaluation.ElapsedSeconds)}  version {evaluation.ModelVersion}  mean {evaluation.MeanReturn,8:F1} ± {evaluation.StdReturn,6:F1}  [{evaluation.MinReturn:F1}, {evaluation.MaxReturn:F1}]"));
        }
    }

    public void OnSolved(Solved solved)
    {
        lock (_gate)
        {
            if (Update(() => _solved = solved))
            {
                return;
            }

            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"[green]Solved[/]: evaluation mean {solved.Evaluation.MeanReturn:F1} ≥ {solved.Threshold:F0} after {solved.Evaluation.EnvironmentSteps} steps, {Minutes(solved.Evaluation.ElapsedSeconds)}");
        }
    }

    /// <summary>Applies <paramref name="change"/>; on a live display redraws and returns true (nothing to print).</summary>
    private bool Update(Action change)
    {
        change();
        if (_live is not { } live)
        {
            return false;
        }

        live.UpdateTarget(Render());
        return true;
    }

    private Rows Render()
    {
        var p = _latest;
        var c = p?.Counters;
        var status = new Grid().AddColumn().AddColumn();
        status.AddRow("env steps", c is null ? "-" : c.EnvironmentSteps.ToString("N0", CultureInfo.InvariantCulture));
        status.AddRow("training time", c is null ? "-" : Minutes(c.ElapsedSeconds));
        status.AddRow("steps/s  /  updates/s", p is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{p.EnvironmentStepsPerSecond:F0}  /  {p.UpdatesPerSecond:F0}"));
        status.AddRow("model version", c is null ? "-" : c.ModelVersion.ToString(CultureInfo.InvariantCulture));
        status.AddRow("staleness (mean / max)", p is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{p.MeanStaleness:F2} / {p.MaxStalenessSeen}"));
        status.AddRow("workers", p is null ? "-" : string.Join(", ", p.Workers.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.WorkerId}: {w.PushesApplied}"))));
        status.AddRow("recent training return", Format(p?.RecentEpisodeReturn));
        status.AddRow("best evaluation", Format(_evaluations.Count == 0 ? null : _evaluations.Max(e => e.MeanReturn)));
        status.AddRow("solved", _solved is null ? "not yet" : string.Create(CultureInfo.InvariantCulture, $"{_solved.Evaluation.MeanReturn:F1} at {_solved.Evaluation.EnvironmentSteps:N0} steps"));

        var table = new Table().Border(TableBorder.Rounded).Title("evaluations (μ policy)")
            .AddColumns("env steps", "time", "version", "mean", "std", "min", "max");
        foreach (var e in _evaluations.TakeLast(8))
        {
            table.AddRow(
                e.EnvironmentSteps.ToString("N0", CultureInfo.InvariantCulture), Minutes(e.ElapsedSeconds), e.ModelVersion.ToString(CultureInfo.InvariantCulture),
                e.MeanReturn.ToString("F1", CultureInfo.InvariantCulture), e.StdReturn.ToString("F1", CultureInfo.InvariantCulture),
                e.MinReturn.ToString("F1", CultureInfo.InvariantCulture), e.MaxReturn.ToString("F1", CultureInfo.InvariantCulture));
        }

        var log = new Rows(_messages.TakeLast(4).Select(m => new Text(m)));
        return new Rows(new Panel(status).Header("distributed training").Border(BoxBorder.Rounded), table, log);
    }

    private static string Format(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Minutes(double seconds) =>
        TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}

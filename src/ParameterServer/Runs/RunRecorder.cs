using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.ParameterServer.Model;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>An evaluation with the model version it ran on (0 when unknown: an evaluation of a single-process run).</summary>
public sealed record EvaluationEntry(EvaluationResult Result, long ModelVersion);

/// <summary>Where training stands, for a report.</summary>
/// <param name="Totals">Counters of the current version.</param>
/// <param name="ElapsedSeconds">Training time over all sessions.</param>
/// <param name="SessionSeconds">Time since this session started.</param>
/// <param name="StopReason">Why training finished, <c>running</c>, or <c>server stopped</c>.</param>
public sealed record ReportState(ModelTotals Totals, double ElapsedSeconds, double SessionSeconds, string StopReason);

/// <summary>
/// The run folder's history, written as the single-process trainer writes it: a metrics.csv row per training episode
/// (reported in pushes) and per evaluation, the two-panel learning curve and summary.json (reusing the Training
/// reporting classes). Also keeps the history in memory for the status service: evaluations with their versions,
/// milestones, and the mean of the last <see cref="RecentEpisodes"/> training returns. Thread-safe.
/// </summary>
public sealed class RunRecorder : IDisposable
{
    /// <summary>Training episodes in the recent mean return.</summary>
    public const int RecentEpisodes = 100;

    /// <summary>The summary's mode.</summary>
    public const string Mode = "parameter-server";

    private readonly Lock _gate = new();
    private readonly Lock _reportGate = new();
    private readonly RunSetup _setup;
    private readonly BestPolicyKeeper _best;
    private readonly MetricsCsvWriter _csv;
    private readonly List<TrainingEpisode> _episodes;
    private readonly List<EvaluationEntry> _evaluations;
    private readonly Milestones _milestones;
    private readonly Queue<double> _recent = new();
    private readonly DateTimeOffset _sessionStartedAt = DateTimeOffset.UtcNow;
    private readonly long _stepsAtSessionStart;

    /// <summary>Continues the history of <paramref name="run"/> and appends to its metrics.csv.</summary>
    public RunRecorder(RunSetup setup, LoadedRun run, BestPolicyKeeper best)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(run);
        _setup = setup;
        _best = best ?? throw new ArgumentNullException(nameof(best));
        _stepsAtSessionStart = run.Totals.EnvironmentSteps;
        _episodes = [.. run.History.Episodes];
        _evaluations = [.. run.History.Evaluations.Select((e, i) => new EvaluationEntry(e, run.EvaluationVersions[i]))];
        _milestones = new Milestones(setup.Evaluation);
        _milestones.Restore(run.History.Evaluations);
        foreach (var episode in _episodes.TakeLast(RecentEpisodes))
        {
            AddRecent(episode.Return);
        }

        _csv = new MetricsCsvWriter(setup.Folder.MetricsCsv);
    }

    /// <summary>Mean return of the last (up to) <see cref="RecentEpisodes"/> training episodes; NaN before the first.</summary>
    public double RecentEpisodeReturn
    {
        get
        {
            lock (_gate)
            {
                return _recent.Count == 0 ? double.NaN : _recent.Average();
            }
        }
    }

    /// <summary>Every evaluation so far, oldest first (a copy).</summary>
    public IReadOnlyList<EvaluationEntry> Evaluations
    {
        get
        {
            lock (_gate)
            {
                return [.. _evaluations];
            }
        }
    }

    /// <summary>The first evaluation whose mean reached the solve threshold, if any.</summary>
    public EvaluationEntry? SolvedBy
    {
        get
        {
            lock (_gate)
            {
                return _milestones.Solved is null ? null : _evaluations.First(e => e.Result.Mean >= _setup.Evaluation.SolvedThreshold);
            }
        }
    }

    /// <summary>The newest evaluation, if any.</summary>
    public EvaluationEntry? LastEvaluation
    {
        get
        {
            lock (_gate)
            {
                return _evaluations.Count > 0 ? _evaluations[^1] : null;
            }
        }
    }

    /// <summary>
    /// Records training episodes that ended in one push (numbered from <paramref name="firstEpisode"/>), one metrics.csv
    /// row each. The global model calls this under its lock, so rows follow the order of the counters.
    /// </summary>
    public void RecordEpisodes(IReadOnlyList<double> returns, long firstEpisode, long environmentSteps, double wallSeconds)
    {
        ArgumentNullException.ThrowIfNull(returns);
        lock (_gate)
        {
            for (var i = 0; i < returns.Count; i++)
            {
                var episode = new TrainingEpisode(firstEpisode + i, environmentSteps, wallSeconds, returns[i]);
                _csv.Write(episode);
                _episodes.Add(episode);
                AddRecent(episode.Return);
            }
        }
    }

    /// <summary>Records an evaluation (a metrics.csv row); true when it is the first to reach the solve threshold.</summary>
    public bool RecordEvaluation(EvaluationResult result, long modelVersion)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            _csv.Write(result);
            _evaluations.Add(new EvaluationEntry(result, modelVersion));
            return _milestones.Record(result);
        }
    }

    /// <summary>The versions of the evaluations, for the checkpoint.</summary>
    public List<EvaluationVersion> EvaluationVersions()
    {
        lock (_gate)
        {
            return [.. _evaluations.Select(e => new EvaluationVersion(e.Result.EnvSteps, e.Result.WallSeconds, e.ModelVersion))];
        }
    }

    /// <summary>Redraws the learning curve and rewrites summary.json (one writer at a time; no lock held while drawing).</summary>
    public RunSummary WriteReport(ReportState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        List<TrainingEpisode> episodes;
        List<EvaluationResult> evaluations;
        Milestone? progress, solved;
        EvaluationResult? best;
        lock (_gate)
        {
            episodes = [.. _episodes];
            evaluations = [.. _evaluations.Select(e => e.Result)];
            progress = _milestones.Progress;
            solved = _milestones.Solved;
            best = _milestones.Best;
        }

        var hyper = _setup.Hyperparameters;
        var summary = new RunSummary(
            Mode: Mode,
            Seed: _setup.Seed,
            Hyperparameters: hyper,
            Evaluation: _setup.Evaluation,
            SessionStartedAt: _sessionStartedAt,
            FinishedAt: DateTimeOffset.UtcNow,
            StopReason: state.StopReason,
            EnvSteps: state.Totals.EnvironmentSteps,
            Episodes: state.Totals.Episodes,
            Updates: state.Totals.Updates,
            WallSeconds: state.ElapsedSeconds,
            SessionEnvStepsPerSecond: (state.Totals.EnvironmentSteps - _stepsAtSessionStart) / Math.Max(state.SessionSeconds, 1e-9),
            Evaluations: evaluations.Count,
            FirstMeanAtLeastProgressThreshold: progress,
            Solved: solved,
            BestEvaluation: best,
            LastEvaluation: evaluations.Count > 0 ? evaluations[^1] : null,
            BestPolicy: _best.Current);
        lock (_reportGate)
        {
            LearningCurvePlot.Save(
                _setup.Folder.LearningCurvePng, $"A3C (parameter server), n = {hyper.NSteps}, seed {_setup.Seed}",
                episodes, evaluations, _setup.Evaluation);
            summary.Save(_setup.Folder.SummaryJson);
        }

        return summary;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _csv.Dispose();
        }
    }

    private void AddRecent(double value)
    {
        _recent.Enqueue(value);
        if (_recent.Count > RecentEpisodes)
        {
            _recent.Dequeue();
        }
    }
}

using System.Diagnostics;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.SingleProcess;

/// <summary>
/// The single-process trainer's bookkeeping of one session: the learner and its counters (restored from the folder's
/// checkpoint on resume), the metrics history and file, the evaluations and their milestones, the budgets, the
/// observer's calls, and the summary at the end.
/// </summary>
internal sealed class SingleProcessRun : IDisposable
{
    private const int RecentEpisodes = 10;

    private readonly A3cHyperparameters _hyper;
    private readonly TrainingOptions _training;
    private readonly EvaluationOptions _evaluation;
    private readonly RunFolder _folder;
    private readonly ITrainingObserver? _observer;
    private readonly DateTimeOffset _sessionStartedAt = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly PolicyEvaluator _evaluator;
    private readonly ActorCriticPolicy _evaluationActor;
    private readonly MeanActionPolicy _evaluationPolicy;
    private readonly Milestones _milestones;
    private readonly EvaluationPacing _pacing;
    private readonly MetricsHistory _history;
    private readonly MetricsCsvWriter _metrics;
    private readonly Queue<double> _recent;
    private readonly double _wallOffset;
    private readonly long _stepsAtStart;
    private double? _lastReturn;
    private long _nextEvaluationAt;
    private TimeSpan _nextProgressAt = NStepTrainer.ProgressInterval;

    /// <summary>A new run in <paramref name="folder"/>, or with <paramref name="resume"/> the one its checkpoint holds.</summary>
    public SingleProcessRun(
        A3cHyperparameters hyper, TrainingOptions training, EvaluationOptions evaluation, RunFolder folder, ITrainingObserver? observer, bool resume)
    {
        _hyper = hyper;
        _training = training;
        _evaluation = evaluation;
        _folder = folder;
        _observer = observer;
        Learner = new GlobalLearner(hyper, training.Seed);
        _evaluationActor = new ActorCriticPolicy(Learner.Model, training.Seed);
        try
        {
            _evaluator = new PolicyEvaluator(evaluation);
            _evaluationPolicy = new MeanActionPolicy(_evaluationActor);
            _milestones = new Milestones(evaluation);
            _pacing = new EvaluationPacing(evaluation);
            var loaded = resume ? Learner.LoadCheckpoint(folder.Checkpoint).Counters : new TrainingCounters();
            (EnvironmentSteps, Episodes, Updates) = (loaded.EnvironmentSteps, loaded.Episodes, loaded.Updates);
            _wallOffset = loaded.ElapsedSeconds;
            _stepsAtStart = EnvironmentSteps;
            _history = resume ? MetricsHistory.LoadAndTrim(folder.MetricsCsv, EnvironmentSteps) : new MetricsHistory();
            _milestones.Restore(_history.Evaluations);
            _recent = new Queue<double>(_history.Episodes.TakeLast(RecentEpisodes).Select(e => e.Return));
            _lastReturn = _history.Episodes.Count > 0 ? _history.Episodes[^1].Return : null;
            _nextEvaluationAt = NextEvaluationAfter(EnvironmentSteps);
            _metrics = new MetricsCsvWriter(folder.MetricsCsv);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The one learner: model and Adam.</summary>
    public GlobalLearner Learner { get; }

    /// <summary>Environment steps over the whole run.</summary>
    public long EnvironmentSteps { get; private set; }

    /// <summary>Whole training episodes over the whole run.</summary>
    public long Episodes { get; private set; }

    /// <summary>Updates (optimiser steps) over the whole run.</summary>
    public long Updates { get; private set; }

    /// <summary>The stop that is due now (cancelled, step budget, time budget), or null.</summary>
    public StopReason? DueStop(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return StopReason.Cancelled;
        }

        if (_training.MaxEnvSteps is { } maxSteps && EnvironmentSteps >= maxSteps)
        {
            return StopReason.StepBudget;
        }

        return _training.MaxDuration is { } maxDuration && _clock.Elapsed >= maxDuration ? StopReason.TimeBudget : null;
    }

    /// <summary>Counts a step of <paramref name="environments"/> environments.</summary>
    public void Stepped(int environments) => EnvironmentSteps += environments;

    /// <summary>
    /// One update on <paramref name="batch"/>; the observations seen then enter the normalisation statistics, as a
    /// worker's do on the server.
    /// </summary>
    public void Learn(NStepWindow[] batch)
    {
        Learner.Update(batch, EnvironmentSteps);
        if (_hyper.NormalizeObservations)
        {
            Learner.MergeObservations(ObservationStatistics.FromRows(Concatenate(batch), batch[0].ObservationSize));
        }

        Updates++;
    }

    /// <summary>Writes a whole training episode to the metrics and tells the observer.</summary>
    public void RecordEpisode(double episodeReturn)
    {
        Episodes++;
        var episode = new TrainingEpisode(Episodes, EnvironmentSteps, Wall(), episodeReturn);
        _metrics.Write(episode);
        _history.Episodes.Add(episode);
        _lastReturn = episodeReturn;
        _recent.Enqueue(episodeReturn);
        if (_recent.Count > RecentEpisodes)
        {
            _recent.Dequeue();
        }

        _observer?.OnEpisode(episode);
    }

    /// <summary>
    /// Evaluates when the steps since the last evaluation call for it and the pacing allows, then checkpoints.
    /// </summary>
    /// <returns>True when this evaluation solved the task.</returns>
    public bool EvaluateIfDue()
    {
        if (EnvironmentSteps < _nextEvaluationAt || _pacing.WaitSeconds(_clock.Elapsed.TotalSeconds) != 0)
        {
            return false;
        }

        _nextEvaluationAt = NextEvaluationAfter(EnvironmentSteps);
        var solved = Evaluate();
        SaveCheckpoint();
        return solved;
    }

    /// <summary>Evaluates once more if steps were taken since the last evaluation; true when that solved the task.</summary>
    public bool EvaluateUnlessCurrent()
    {
        var evaluatedHere = _history.Evaluations.Count > 0 && _history.Evaluations[^1].EnvSteps == EnvironmentSteps;
        return EnvironmentSteps > 0 && !evaluatedHere && Evaluate();
    }

    /// <summary>Tells the observer how training goes, at most every <see cref="NStepTrainer.ProgressInterval"/>.</summary>
    public void ReportProgressIfDue()
    {
        if (_clock.Elapsed >= _nextProgressAt)
        {
            _nextProgressAt = _clock.Elapsed + NStepTrainer.ProgressInterval;
            _observer?.OnProgress(Snapshot());
        }
    }

    /// <summary>Writes the checkpoint of the current state.</summary>
    public void SaveCheckpoint() => Learner.SaveCheckpoint(_folder.Checkpoint, Counters());

    /// <summary>
    /// Confirms the best policy (evaluated once more on other episodes: gym's solved is a mean over 100 episodes), draws
    /// the learning curve and writes the summary.
    /// </summary>
    public RunSummary Finish(string stopReason)
    {
        var best = File.Exists(_folder.BestPolicy) ? BestPolicyFile.Confirm(_folder.BestPolicy, _hyper, _evaluation, Wall()) : null;
        LearningCurvePlot.Save(
            _folder.LearningCurvePng, $"n-step actor-critic, n = {_hyper.NSteps}, seed {_training.Seed}",
            _history.Episodes, _history.Evaluations, _evaluation);
        var summary = new RunSummary(
            Mode: "single-process",
            Seed: _training.Seed,
            Hyperparameters: _hyper,
            Evaluation: _evaluation,
            SessionStartedAt: _sessionStartedAt,
            FinishedAt: DateTimeOffset.UtcNow,
            StopReason: stopReason,
            EnvSteps: EnvironmentSteps,
            Episodes: Episodes,
            Updates: Updates,
            WallSeconds: Wall(),
            SessionEnvStepsPerSecond: StepsPerSecond(),
            Evaluations: _history.Evaluations.Count,
            FirstMeanAtLeastProgressThreshold: _milestones.Progress,
            Solved: _milestones.Solved,
            BestEvaluation: _milestones.Best,
            LastEvaluation: _history.Evaluations.Count > 0 ? _history.Evaluations[^1] : null,
            BestPolicy: best);
        summary.Save(_folder.SummaryJson);
        return summary;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _metrics?.Dispose();
        _evaluationActor.Dispose();
        Learner.Dispose();
    }

    /// <summary>The states of every window, one after another.</summary>
    private static float[] Concatenate(NStepWindow[] windows)
    {
        var rows = new float[windows.Sum(w => w.States.Length)];
        var offset = 0;
        foreach (var window in windows)
        {
            window.States.CopyTo(rows.AsSpan(offset));
            offset += window.States.Length;
        }

        return rows;
    }

    private long NextEvaluationAfter(long steps) => (steps / _evaluation.EveryEnvSteps + 1) * _evaluation.EveryEnvSteps;

    private bool Evaluate()
    {
        var startedAt = _clock.Elapsed.TotalSeconds;
        var result = _evaluator.Evaluate(_evaluationPolicy, EnvironmentSteps, Episodes, Wall());
        _pacing.Evaluated(startedAt, _clock.Elapsed.TotalSeconds - startedAt);
        _metrics.Write(result);
        _history.Evaluations.Add(result);
        var solvedNow = _milestones.Record(result);
        if (ReferenceEquals(_milestones.Best, result))
        {
            // The best policy so far is kept apart, so a later collapse cannot take it away.
            BestPolicyFile.Save(_folder.BestPolicy, Learner, Counters(), result);
        }

        _observer?.OnEvaluation(result, Snapshot());
        return solvedNow;
    }

    private double Wall() => _wallOffset + _clock.Elapsed.TotalSeconds;

    private double StepsPerSecond() => (EnvironmentSteps - _stepsAtStart) / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    private TrainingCounters Counters() => new()
    {
        EnvironmentSteps = EnvironmentSteps,
        Episodes = Episodes,
        Updates = Updates,
        ModelVersion = Updates,
        ElapsedSeconds = Wall(),
    };

    private TrainingProgress Snapshot() => new(
        EnvironmentSteps, Episodes, Updates, Wall(), StepsPerSecond(), _lastReturn,
        _recent.Count > 0 ? _recent.Average() : null,
        _history.Evaluations.Count > 0 ? _history.Evaluations[^1] : null, _milestones.Best, _milestones.Progress, _milestones.Solved);
}

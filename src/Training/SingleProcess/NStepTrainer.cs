using System.Diagnostics;
using A3cGrpc.Learning;
using A3cGrpc.Simulation;
using A3cGrpc.Training.Evaluation;
using A3cGrpc.Training.Reporting;

namespace A3cGrpc.Training.SingleProcess;

/// <summary>
/// The seed report's single-process modes: one environment, one actor-critic, an update every n steps
/// (n = 1: mode 1, "single-step"; n &gt; 1: mode 2) and once more with the leftover window when an episode
/// ends. Evaluates the deterministic policy on its own environments every
/// <see cref="EvaluationOptions.EveryEnvSteps"/> steps, and leaves metrics, curve, checkpoint and summary
/// in a <see cref="RunFolder"/>.
/// </summary>
public sealed class NStepTrainer
{
    /// <summary>How often <see cref="ITrainingObserver.OnProgress"/> is called.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private const int RecentEpisodes = 10;

    private readonly A3cHyperparameters _hyper;
    private readonly TrainingOptions _training;
    private readonly EvaluationOptions _evaluation;
    private readonly RunFolder _folder;

    /// <summary>Validates every option at once, so a bad setting fails before any work starts.</summary>
    public NStepTrainer(A3cHyperparameters hyper, TrainingOptions training, EvaluationOptions evaluation, RunFolder folder)
    {
        _hyper = hyper ?? throw new ArgumentNullException(nameof(hyper));
        _training = training ?? throw new ArgumentNullException(nameof(training));
        _evaluation = evaluation ?? throw new ArgumentNullException(nameof(evaluation));
        _folder = folder ?? throw new ArgumentNullException(nameof(folder));
        _hyper.Validate();
        _training.Validate();
        _evaluation.Validate();
    }

    /// <summary>
    /// Trains until solved (if <see cref="TrainingOptions.StopWhenSolved"/>), a budget is used up, or
    /// <paramref name="cancellationToken"/> fires; then writes the final checkpoint, curve and summary.
    /// With <paramref name="resume"/>, continues from the folder's checkpoint: weights, optimiser state,
    /// counters and history; the episode that was running when it was written starts afresh.
    /// </summary>
    public RunSummary Run(ITrainingObserver? observer, bool resume, CancellationToken cancellationToken)
    {
        TorchRuntime.Initialize();
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        using var learner = new LocalLearner(_hyper, _training.Seed);
        using var policy = new ActorCriticPolicy(learner.Model, _training.Seed);
        var evaluator = new PolicyEvaluator(_evaluation);
        var evaluationPolicy = new MeanActionPolicy(policy);
        var milestones = new Milestones(_evaluation);

        var loaded = resume ? learner.LoadCheckpoint(_folder.Checkpoint).Counters : new TrainingCounters();
        long envSteps = loaded.EnvironmentSteps, episodes = loaded.Episodes, updates = loaded.Updates;
        var history = resume ? MetricsHistory.LoadAndTrim(_folder.MetricsCsv, envSteps) : new MetricsHistory();
        milestones.Restore(history.Evaluations);

        var wallOffset = loaded.ElapsedSeconds;
        double Wall() => wallOffset + clock.Elapsed.TotalSeconds;
        var stepsAtStart = envSteps;
        TrainingCounters Counters() => new()
        {
            EnvironmentSteps = envSteps,
            Episodes = episodes,
            Updates = updates,
            ModelVersion = updates,
            ElapsedSeconds = Wall(),
        };
        double StepsPerSecond() => (envSteps - stepsAtStart) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);

        using var metrics = new MetricsCsvWriter(_folder.MetricsCsv);
        using var env = new CartPoleSwingUpEnv(unchecked(_training.Seed + (int)episodes));
        var window = new NStepBuffer(_hyper);
        var observation = new double[SwingUpConstants.ObservationSize];
        var nextObservation = new double[SwingUpConstants.ObservationSize];
        var observationF = new float[SwingUpConstants.ObservationSize];
        var nextObservationF = new float[SwingUpConstants.ObservationSize];
        var action = new double[1];

        var recent = new Queue<double>(history.Episodes.TakeLast(RecentEpisodes).Select(e => e.Return));
        double? lastReturn = history.Episodes.Count > 0 ? history.Episodes[^1].Return : null;
        var nextEvaluationAt = (envSteps / _evaluation.EveryEnvSteps + 1) * _evaluation.EveryEnvSteps;
        var nextProgressAt = ProgressInterval;
        StopReason? stop = null;

        TrainingProgress Snapshot() => new(
            envSteps, episodes, updates, Wall(), StepsPerSecond(), lastReturn,
            recent.Count > 0 ? recent.Average() : null,
            history.Evaluations.Count > 0 ? history.Evaluations[^1] : null, milestones.Best, milestones.Progress, milestones.Solved);

        env.Reset(observation);
        var episodeReturn = 0.0;
        while (stop is null)
        {
            ToSingle(observation, observationF);
            // Sample from Normal(mu, sigma); the environment gets the clipped action, the loss the sample.
            var decision = policy.Act(observationF);
            action[0] = ActorCriticPolicy.ClipAction(decision.Action);
            var step = env.Step(action, nextObservation);
            ToSingle(nextObservation, nextObservationF);
            window.Add(observationF, decision.Action, (float)step.Reward, nextObservationF);
            episodeReturn += step.Reward;
            envSteps++;

            if (window.IsFull || step.Truncated)
            {
                learner.Update(window.ToWindow());
                window.Clear();
                updates++;
            }

            if (step.Truncated)
            {
                episodes++;
                var episode = new TrainingEpisode(episodes, envSteps, Wall(), episodeReturn);
                metrics.Write(episode);
                history.Episodes.Add(episode);
                lastReturn = episodeReturn;
                recent.Enqueue(episodeReturn);
                if (recent.Count > RecentEpisodes)
                {
                    recent.Dequeue();
                }

                observer?.OnEpisode(episode);
                env.Reset(observation);
                episodeReturn = 0.0;
            }
            else
            {
                (observation, nextObservation) = (nextObservation, observation);
            }

            if (envSteps >= nextEvaluationAt)
            {
                nextEvaluationAt += _evaluation.EveryEnvSteps;
                var result = evaluator.Evaluate(evaluationPolicy, envSteps, episodes, Wall());
                metrics.Write(result);
                history.Evaluations.Add(result);
                var solvedNow = milestones.Record(result);
                learner.SaveCheckpoint(_folder.Checkpoint, Counters());
                observer?.OnEvaluation(result, Snapshot());
                if (solvedNow && _training.StopWhenSolved)
                {
                    stop = StopReason.Solved;
                }
            }

            if (_training.MaxEnvSteps is { } maxSteps && envSteps >= maxSteps)
            {
                stop ??= StopReason.StepBudget;
            }

            if (_training.MaxDuration is { } maxDuration && clock.Elapsed >= maxDuration)
            {
                stop ??= StopReason.TimeBudget;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                stop ??= StopReason.Cancelled;
            }

            if (clock.Elapsed >= nextProgressAt)
            {
                nextProgressAt = clock.Elapsed + ProgressInterval;
                observer?.OnProgress(Snapshot());
            }
        }

        var final = Counters();
        learner.SaveCheckpoint(_folder.Checkpoint, final);
        LearningCurvePlot.Save(
            _folder.LearningCurvePng, $"n-step actor-critic, n = {_hyper.NSteps}, seed {_training.Seed}",
            history.Episodes, history.Evaluations, _evaluation);

        var summary = new RunSummary(
            Mode: "single-process",
            Seed: _training.Seed,
            Hyperparameters: _hyper,
            Evaluation: _evaluation,
            StartedAt: startedAt,
            FinishedAt: DateTimeOffset.UtcNow,
            StopReason: stop.Value.ToString(),
            EnvSteps: envSteps,
            Episodes: episodes,
            Updates: updates,
            WallSeconds: final.ElapsedSeconds,
            EnvStepsPerSecond: StepsPerSecond(),
            Evaluations: history.Evaluations.Count,
            FirstMeanAtLeastProgressThreshold: milestones.Progress,
            Solved: milestones.Solved,
            BestEvaluation: milestones.Best,
            LastEvaluation: history.Evaluations.Count > 0 ? history.Evaluations[^1] : null);
        summary.Save(_folder.SummaryJson);
        return summary;
    }

    private static void ToSingle(ReadOnlySpan<double> source, Span<float> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }
}

using System.Diagnostics;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using A3cGrpc.Simulation;

namespace A3cGrpc.Experiments.SingleProcess;

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
    /// <paramref name="cancellationToken"/> fires; evaluates once more if steps were taken since the last
    /// evaluation; then writes the final checkpoint, curve and summary. If training fails, the curve and a
    /// summary saying why are still written (the checkpoint keeps the last good state) and the error is rethrown.
    /// </summary>
    /// <remarks>
    /// Episode <c>e</c> runs on an environment seeded <c>DeriveSeed(Seed, 2e)</c> and samples actions from a
    /// stream seeded <c>DeriveSeed(Seed, 2e + 1)</c>, so what an episode sees depends only on the run's seed
    /// and the episode's index. With <paramref name="resume"/>, the run continues from the folder's checkpoint
    /// (weights, Adam state and counters restored exactly; metrics rows past the checkpoint are dropped); the
    /// episode that was in progress when the checkpoint was written starts again from its beginning.
    /// </remarks>
    public RunSummary Run(ITrainingObserver? observer, bool resume, CancellationToken cancellationToken)
    {
        TorchRuntime.Initialize();
        var sessionStartedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        using var learner = new GlobalLearner(_hyper, _training.Seed);
        using var policy = new ActorCriticPolicy(learner.Model, _training.Seed);
        var evaluator = new PolicyEvaluator(_evaluation);
        using var evaluationActor = new ActorCriticPolicy(learner.Model, _training.Seed);
        var evaluationPolicy = new MeanActionPolicy(evaluationActor);
        var milestones = new Milestones(_evaluation);

        var loaded = resume ? learner.LoadCheckpoint(_folder.Checkpoint).Counters : new TrainingCounters();
        long envSteps = loaded.EnvironmentSteps, episodes = loaded.Episodes, updates = loaded.Updates;
        var history = resume ? MetricsHistory.LoadAndTrim(_folder.MetricsCsv, envSteps) : new MetricsHistory();
        milestones.Restore(history.Evaluations);

        var wallOffset = loaded.ElapsedSeconds;
        double Wall() => wallOffset + clock.Elapsed.TotalSeconds;
        var stepsAtStart = envSteps;
        double StepsPerSecond() => (envSteps - stepsAtStart) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        TrainingCounters Counters() => new()
        {
            EnvironmentSteps = envSteps,
            Episodes = episodes,
            Updates = updates,
            ModelVersion = updates,
            ElapsedSeconds = Wall(),
        };

        using var metrics = new MetricsCsvWriter(_folder.MetricsCsv);
        var k = _hyper.EnvironmentsPerLearner(distributed: false);
        var windows = new NStepBuffer[k];
        for (var i = 0; i < k; i++)
        {
            windows[i] = new NStepBuffer(_hyper);
        }

        var observationSize = SwingUpConstants.ObservationSize;
        var states = new float[k * observationSize];
        var nextStates = new float[k * observationSize];
        var actions = new float[k];
        var mu = new float[k];
        var std = new float[k];
        var values = new float[k];
        var clipped = new double[k];
        var rewards = new double[k];
        var truncated = new bool[k];
        var episodeReturns = new double[k];

        var recent = new Queue<double>(history.Episodes.TakeLast(RecentEpisodes).Select(e => e.Return));
        double? lastReturn = history.Episodes.Count > 0 ? history.Episodes[^1].Return : null;
        var nextEvaluationAt = (envSteps / _evaluation.EveryEnvSteps + 1) * _evaluation.EveryEnvSteps;
        var nextProgressAt = ProgressInterval;

        TrainingProgress Snapshot() => new(
            envSteps, episodes, updates, Wall(), StepsPerSecond(), lastReturn,
            recent.Count > 0 ? recent.Average() : null,
            history.Evaluations.Count > 0 ? history.Evaluations[^1] : null, milestones.Best, milestones.Progress, milestones.Solved);

        void Learn(NStepWindow[] batch)
        {
            learner.Update(batch, envSteps);
            if (_hyper.NormalizeObservations)
            {
                learner.MergeObservations(ObservationStatistics.FromRows(Concatenate(batch), observationSize));
            }

            foreach (var window in windows)
            {
                window.Clear();
            }

            updates++;
        }

        void RecordEpisode(double episodeReturn)
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
        }

        var pacing = new EvaluationPacing(_evaluation);
        bool Evaluate()
        {
            var startedAt = clock.Elapsed.TotalSeconds;
            var result = evaluator.Evaluate(evaluationPolicy, envSteps, episodes, Wall());
            pacing.Evaluated(startedAt, clock.Elapsed.TotalSeconds - startedAt);
            metrics.Write(result);
            history.Evaluations.Add(result);
            var solvedNow = milestones.Record(result);
            if (ReferenceEquals(milestones.Best, result))
            {
                // The best policy so far is kept apart, so a later collapse cannot take it away.
                BestPolicyFile.Save(_folder.BestPolicy, learner, Counters(), result);
            }

            observer?.OnEvaluation(result, Snapshot());
            return solvedNow;
        }

        StopReason? Due()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return StopReason.Cancelled;
            }

            if (_training.MaxEnvSteps is { } maxSteps && envSteps >= maxSteps)
            {
                return StopReason.StepBudget;
            }

            return _training.MaxDuration is { } maxDuration && clock.Elapsed >= maxDuration ? StopReason.TimeBudget : null;
        }

        VectorSwingUpEnv? env = null;
        var staggered = _hyper.StaggerEpisodes;
        var firstEpisodeSteps = new int[k];
        var pending = new List<NStepWindow>();
        var rolloutSteps = 0;
        StopReason? stop = null;
        try
        {
            StopReason reason;
            while (true)
            {
                if ((stop ?? Due()) is { } due)
                {
                    reason = due;
                    break;
                }

                if (env is null)
                {
                    // Round r runs episodes rK .. rK + K - 1 together: episode e's environment is seeded from (seed, 2e)
                    // and the round samples from (seed, 2rK + 1), so K = 1 is the seed's one episode at a time. With
                    // staggered episodes one round is the whole session: each environment draws its later episodes
                    // from its own generator, and its first episode is cut at (i + 1)/K of the time limit.
                    var first = checked((int)episodes);
                    env = new VectorSwingUpEnv([.. Enumerable.Range(first, k).Select(e => VectorSwingUpEnv.DeriveSeed(_training.Seed, checked(2 * e)))]);
                    policy.Reseed(VectorSwingUpEnv.DeriveSeed(_training.Seed, checked((2 * first) + 1)));
                    env.ResetAll();
                    env.CopyObservationsTo(states);
                    Array.Clear(episodeReturns);
                    foreach (var window in windows)
                    {
                        window.Clear();
                    }

                    for (var i = 0; i < k; i++)
                    {
                        firstEpisodeSteps[i] = staggered ? EpisodeStagger.FirstEpisodeSteps(i, k) : SwingUpConstants.MaxEpisodeSteps;
                    }

                    pending.Clear();
                    rolloutSteps = 0;
                }

                // Sample from Normal(mu, sigma); the environment gets the clipped action, the loss the sample.
                policy.Act(states, actions, mu, std, values);
                for (var i = 0; i < k; i++)
                {
                    clipped[i] = ActorCriticPolicy.ClipAction(actions[i], _hyper.ActionLow, _hyper.ActionHigh);
                }

                env.Step(clipped, rewards, truncated);
                env.CopyObservationsTo(nextStates);
                for (var i = 0; i < k; i++)
                {
                    windows[i].Add(
                        states.AsSpan(i * observationSize, observationSize), actions[i], (float)rewards[i], nextStates.AsSpan(i * observationSize, observationSize));
                    episodeReturns[i] += rewards[i];
                }

                envSteps += k;

                if (!staggered)
                {
                    // Every n steps, and once more with whatever is left when the episodes end (docs/seed-report.md). The
                    // observations seen enter the normalisation statistics after the update, as a worker's do on the server.
                    var ended = truncated[0];
                    if (windows[0].IsFull || ended)
                    {
                        Learn([.. windows.Select(w => w.ToWindow())]);
                    }

                    if (ended)
                    {
                        for (var i = 0; i < k; i++)
                        {
                            RecordEpisode(episodeReturns[i]);
                        }

                        env.Dispose();
                        env = null;
                    }
                    else
                    {
                        (states, nextStates) = (nextStates, states);
                    }
                }
                else
                {
                    // Each environment's window ends with its own episode; the update comes every n steps.
                    for (var i = 0; i < k; i++)
                    {
                        var cut = env.GetElapsedSteps(i) == firstEpisodeSteps[i];
                        if (!truncated[i] && !cut)
                        {
                            continue;
                        }

                        pending.Add(windows[i].ToWindow());
                        windows[i].Clear();
                        if (firstEpisodeSteps[i] == SwingUpConstants.MaxEpisodeSteps)
                        {
                            RecordEpisode(episodeReturns[i]); // a cut first episode is not a whole one
                        }

                        episodeReturns[i] = 0;
                        firstEpisodeSteps[i] = SwingUpConstants.MaxEpisodeSteps;
                        env.Reset(i);
                    }

                    if (++rolloutSteps == _hyper.NSteps)
                    {
                        pending.AddRange(windows.Where(w => !w.IsEmpty).Select(w => w.ToWindow()));
                        Learn([.. pending]);
                        pending.Clear();
                        rolloutSteps = 0;
                    }

                    env.CopyObservationsTo(states);
                }

                if (envSteps >= nextEvaluationAt && pacing.WaitSeconds(clock.Elapsed.TotalSeconds) == 0)
                {
                    nextEvaluationAt = (envSteps / _evaluation.EveryEnvSteps + 1) * _evaluation.EveryEnvSteps;
                    if (Evaluate() && _training.StopWhenSolved)
                    {
                        stop = StopReason.Solved;
                    }

                    learner.SaveCheckpoint(_folder.Checkpoint, Counters());
                }

                if (clock.Elapsed >= nextProgressAt)
                {
                    nextProgressAt = clock.Elapsed + ProgressInterval;
                    observer?.OnProgress(Snapshot());
                }
            }

            var evaluatedHere = history.Evaluations.Count > 0 && history.Evaluations[^1].EnvSteps == envSteps;
            if (envSteps > 0 && !evaluatedHere && Evaluate() && _training.StopWhenSolved)
            {
                reason = StopReason.Solved;
            }

            learner.SaveCheckpoint(_folder.Checkpoint, Counters());
            return Finish(reason.ToString());
        }
        catch (Exception ex)
        {
            // Leave a readable account of the failure; the checkpoint stays at the last evaluation's state.
            Finish($"Failed: {ex.GetType().Name}: {ex.Message}");
            throw;
        }
        finally
        {
            env?.Dispose();
        }

        RunSummary Finish(string stopReason)
        {
            // The best policy, evaluated once more on other episodes (gym's solved: a mean over 100 episodes).
            var best = File.Exists(_folder.BestPolicy) ? BestPolicyFile.Confirm(_folder.BestPolicy, _hyper, _evaluation, Wall()) : null;

            LearningCurvePlot.Save(
                _folder.LearningCurvePng, $"n-step actor-critic, n = {_hyper.NSteps}, seed {_training.Seed}",
                history.Episodes, history.Evaluations, _evaluation);
            var summary = new RunSummary(
                Mode: "single-process",
                Seed: _training.Seed,
                Hyperparameters: _hyper,
                Evaluation: _evaluation,
                SessionStartedAt: sessionStartedAt,
                FinishedAt: DateTimeOffset.UtcNow,
                StopReason: stopReason,
                EnvSteps: envSteps,
                Episodes: episodes,
                Updates: updates,
                WallSeconds: Wall(),
                SessionEnvStepsPerSecond: StepsPerSecond(),
                Evaluations: history.Evaluations.Count,
                FirstMeanAtLeastProgressThreshold: milestones.Progress,
                Solved: milestones.Solved,
                BestEvaluation: milestones.Best,
                LastEvaluation: history.Evaluations.Count > 0 ? history.Evaluations[^1] : null,
                BestPolicy: best);
            summary.Save(_folder.SummaryJson);
            return summary;
        }
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
}

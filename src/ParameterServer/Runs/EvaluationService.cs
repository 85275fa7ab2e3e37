using A3cGrpc.Contracts.V1;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Monitoring;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// The evaluator: once at the start of a new run and then every <see cref="EvaluationOptions.EveryEnvSteps"/> pushed
/// environment steps, copies the global weights into its own network and runs <see cref="PolicyEvaluator"/> with the
/// mean action on its own environments; records the result (metrics.csv, history, status events), raises "solved"
/// (finishing training when <c>StopWhenSolved</c>), redraws the curve and summary, and writes a checkpoint. When
/// training finishes it evaluates once more if pushes were applied since the last evaluation, then writes the final
/// checkpoint and summary.
/// </summary>
public sealed partial class EvaluationService(
    GlobalModel model,
    EvaluationSchedule schedule,
    RunRecorder recorder,
    CheckpointWriter checkpoints,
    BestPolicyKeeper best,
    StatusEvents events,
    StatusReporter reporter,
    ServerMetrics metrics,
    TrainingClock clock,
    RunSetup setup,
    LoadedRun run,
    ILogger<EvaluationService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // evaluations are long synchronous work: leave the host's start-up path at once
        using var copy = new GlobalLearner(setup.Hyperparameters, setup.Seed);
        using var policy = new ActorCriticPolicy(copy.Model, setup.Seed); // acts deterministically: the seed is not used
        var meanAction = new MeanActionPolicy(policy);
        var evaluator = new PolicyEvaluator(setup.Evaluation);
        var evaluateNow = !run.Resumed;
        var finalized = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (evaluateNow || (model.FinishedReason is null && schedule.IsDue(model.Totals.EnvironmentSteps)))
                {
                    evaluateNow = false;
                    Evaluate(copy, meanAction, evaluator);
                    continue;
                }

                if (model.FinishedReason is { } reason && !finalized)
                {
                    if (recorder.LastEvaluation?.ModelVersion != model.Version)
                    {
                        Evaluate(copy, meanAction, evaluator);
                    }

                    checkpoints.Write("training finished");
                    recorder.WriteReport(ReportState(reason));
                    finalized = true;
                    continue;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Keep serving and training; the next evaluation is due one interval later.
                LogEvaluationFailed(logger, exception);
                schedule.EvaluatedAt(model.Totals.EnvironmentSteps);
                finalized = model.FinishedReason is not null;
            }

            try
            {
                // Steps are due but the pacing holds the evaluation back: wake when it allows, or earlier on a finish.
                if (model.Totals.EnvironmentSteps >= schedule.NextAt && schedule.PacingDelay() is { } delay && delay > TimeSpan.Zero)
                {
                    await schedule.WaitAsync(delay, stoppingToken);
                }
                else
                {
                    await schedule.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void Evaluate(GlobalLearner copy, MeanActionPolicy meanAction, PolicyEvaluator evaluator)
    {
        var startedAt = schedule.Now;
        var weights = model.CurrentWeights();
        copy.ImportParameters(weights.Weights);
        if (weights.ObservationStatistics is { } statistics)
        {
            copy.Model.SetObservationStatistics(statistics);
        }

        var result = evaluator.Evaluate(meanAction, weights.Totals.EnvironmentSteps, weights.Totals.Episodes, clock.ElapsedSeconds);
        schedule.EvaluatedAt(result.EnvSteps, startedAt);
        var solvedNow = recorder.RecordEvaluation(result, weights.Version);
        best.Offer(copy, weights.Version, result, new Learning.TrainingCounters
        {
            EnvironmentSteps = weights.Totals.EnvironmentSteps,
            Updates = weights.Totals.Updates,
            Episodes = weights.Totals.Episodes,
            ModelVersion = weights.Version,
            ElapsedSeconds = clock.ElapsedSeconds,
        });
        metrics.Evaluated(result.Mean);
        var entry = new EvaluationEntry(result, weights.Version);
        events.Publish(new TrainingEvent { Evaluation = StatusReporter.ToRecord(entry) });
        LogEvaluation(logger, weights.Version, result.EnvSteps, result.Mean, result.Std, result.Episodes, result.DurationSeconds);
        if (solvedNow)
        {
            events.Publish(new TrainingEvent { Solved = reporter.Solved(entry) });
            LogSolved(logger, weights.Version, result.Mean, setup.Evaluation.SolvedThreshold);
            if (setup.Server.StopWhenSolved)
            {
                model.Finish(FinishReasons.Solved);
            }
        }

        recorder.WriteReport(ReportState(model.FinishedReason ?? FinishReasons.Running));
        checkpoints.Write("evaluation");
    }

    private ReportState ReportState(string stopReason) => new(model.Totals, clock.ElapsedSeconds, clock.SessionSeconds, stopReason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Evaluation of version {Version} at {EnvironmentSteps} environment steps: mean {Mean:F1} +- {Std:F1} over {Episodes} episodes ({Seconds:F2} s)")]
    private static partial void LogEvaluation(ILogger logger, long version, long environmentSteps, double mean, double std, int episodes, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Solved: version {Version} reached a mean of {Mean:F1} (threshold {Threshold})")]
    private static partial void LogSolved(ILogger logger, long version, double mean, double threshold);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluation, report or checkpoint failed; training and serving go on")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception exception);
}

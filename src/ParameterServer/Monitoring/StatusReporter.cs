using A3cGrpc.Contracts.V1;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Runs;
using WireCounters = A3cGrpc.Contracts.V1.TrainingCounters;

namespace A3cGrpc.ParameterServer.Monitoring;

/// <summary>Puts the training status together in its wire form (training.proto).</summary>
public sealed class StatusReporter(
    GlobalModel model, TrainingClock clock, TrainingMonitor monitor, RunRecorder recorder, BestPolicyKeeper best, RunSetup setup)
{
    /// <summary>Counters, rates, staleness, workers, recent return and finished reason now.</summary>
    public Progress Progress()
    {
        var totals = model.Totals;
        var activity = monitor.Snapshot(totals);
        var progress = new Progress
        {
            Counters = new WireCounters
            {
                EnvironmentSteps = totals.EnvironmentSteps,
                Updates = totals.Updates,
                Episodes = totals.Episodes,
                ModelVersion = totals.Version,
                ElapsedSeconds = clock.ElapsedSeconds,
            },
            EnvironmentStepsPerSecond = activity.EnvironmentStepsPerSecond,
            UpdatesPerSecond = activity.UpdatesPerSecond,
            MeanStaleness = activity.MeanStaleness,
            MaxStalenessSeen = activity.MaxStalenessSeen,
            RefusedStalePushes = model.RefusedStalePushes,
            RefusedUnsafePushes = model.RefusedUnsafePushes,
            RecentEpisodeReturn = recorder.RecentEpisodeReturn,
            FinishedReason = model.FinishedReason ?? string.Empty,
        };
        progress.Workers.AddRange(activity.Workers.Select(w => new WorkerStatus
        {
            WorkerId = w.WorkerId,
            PushesApplied = w.PushesApplied,
            EnvironmentSteps = w.EnvironmentSteps,
            SecondsSinceLastPush = w.SecondsSinceLastPush,
            MeanStaleness = w.MeanStaleness,
        }));
        return progress;
    }

    /// <summary>The whole status: progress, every evaluation, the solved event, threshold and run folder.</summary>
    public TrainingStatusReply Status()
    {
        var reply = new TrainingStatusReply
        {
            Progress = Progress(),
            SolveThreshold = setup.Evaluation.SolvedThreshold,
            RunDirectory = setup.Folder.Path,
        };
        reply.Evaluations.AddRange(recorder.Evaluations.Select(ToRecord));
        if (recorder.SolvedBy is { } solved)
        {
            reply.Solved = Solved(solved);
        }

        if (best.Current is { } kept)
        {
            reply.Best = new Contracts.V1.BestPolicy
            {
                ModelVersion = kept.ModelVersion,
                Evaluation = ToRecord(new EvaluationEntry(kept.Evaluation, kept.ModelVersion)),
                Confirmation = kept.Confirmation is { } confirmation ? ToRecord(new EvaluationEntry(confirmation, kept.ModelVersion)) : null,
            };
        }

        return reply;
    }

    /// <summary>The wire form of an evaluation.</summary>
    public static EvaluationRecord ToRecord(EvaluationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var result = entry.Result;
        return new EvaluationRecord
        {
            ModelVersion = entry.ModelVersion,
            EnvironmentSteps = result.EnvSteps,
            ElapsedSeconds = result.WallSeconds,
            MeanReturn = result.Mean,
            StdReturn = result.Std,
            MinReturn = result.Min,
            MaxReturn = result.Max,
            Episodes = result.Episodes,
        };
    }

    /// <summary>The wire form of the solved event.</summary>
    public Solved Solved(EvaluationEntry entry) =>
        new() { Evaluation = ToRecord(entry), Threshold = setup.Evaluation.SolvedThreshold };
}

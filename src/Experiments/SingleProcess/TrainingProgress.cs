using A3cGrpc.Experiments.Evaluation;

namespace A3cGrpc.Experiments.SingleProcess;

/// <summary>Why a run stopped.</summary>
public enum StopReason
{
    /// <summary>An evaluation reached the solved threshold.</summary>
    Solved,

    /// <summary>The env-step budget was used up.</summary>
    StepBudget,

    /// <summary>The time budget was used up.</summary>
    TimeBudget,

    /// <summary>The caller cancelled (Ctrl-C).</summary>
    Cancelled,
}

/// <summary>A snapshot of a running training, for progress displays.</summary>
public sealed record TrainingProgress(
    long EnvSteps,
    long Episodes,
    long Updates,
    double WallSeconds,
    double EnvStepsPerSecond,
    double? LastEpisodeReturn,
    double? RecentMeanReturn,
    EvaluationResult? LastEvaluation,
    EvaluationResult? BestEvaluation,
    Milestone? Progress,
    Milestone? Solved);

using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;

namespace A3cGrpc.Experiments.SingleProcess;

/// <summary>Receives a run's events on the training thread (keep the handlers quick).</summary>
public interface ITrainingObserver
{
    /// <summary>A training episode ended.</summary>
    void OnEpisode(TrainingEpisode episode);

    /// <summary>An evaluation finished.</summary>
    void OnEvaluation(EvaluationResult evaluation, TrainingProgress progress);

    /// <summary>Periodic progress, about every <see cref="NStepTrainer.ProgressInterval"/>.</summary>
    void OnProgress(TrainingProgress progress);
}

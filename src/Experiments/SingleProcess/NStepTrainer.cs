using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;

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
        using var run = new SingleProcessRun(_hyper, _training, _evaluation, _folder, observer, resume);
        using var rollout = new VectorRollout(_hyper, _training.Seed, run.Learner.Model);
        try
        {
            var reason = Train(run, rollout, cancellationToken);
            if (run.EvaluateUnlessCurrent() && _training.StopWhenSolved)
            {
                reason = StopReason.Solved;
            }

            run.SaveCheckpoint();
            return run.Finish(reason.ToString());
        }
        catch (Exception ex)
        {
            // Leave a readable account of the failure; the checkpoint stays at the last evaluation's state.
            run.Finish($"Failed: {ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    /// <summary>Steps, learns and evaluates until a stop is due.</summary>
    private StopReason Train(SingleProcessRun run, VectorRollout rollout, CancellationToken cancellationToken)
    {
        StopReason? stop = null;
        while (true)
        {
            if ((stop ?? run.DueStop(cancellationToken)) is { } due)
            {
                return due;
            }

            var step = rollout.Step(run.Episodes);
            run.Stepped(rollout.Environments);
            if (step.Batch is { } batch)
            {
                run.Learn(batch);
            }

            foreach (var episodeReturn in step.FinishedEpisodes)
            {
                run.RecordEpisode(episodeReturn);
            }

            if (run.EvaluateIfDue() && _training.StopWhenSolved)
            {
                stop = StopReason.Solved;
            }

            run.ReportProgressIfDue();
        }
    }
}

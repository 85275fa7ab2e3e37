using System.Text.Json;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// The best-evaluated policy of a run: the model version, its periodic evaluation, and the longer evaluation that
/// confirms it when the run stops (gym's "solved" is a mean over 100 consecutive episodes; a periodic evaluation's
/// 10-episode mean can be a lucky spike, and the best one was selected on those very episodes).
/// </summary>
/// <param name="ModelVersion">The version evaluated (updates, in a single process).</param>
/// <param name="Evaluation">The periodic evaluation that made it the best.</param>
/// <param name="Confirmation">Its evaluation on <see cref="EvaluationOptions.ConfirmationEpisodes"/> other episodes, once the run stopped.</param>
public sealed record BestPolicy(long ModelVersion, EvaluationResult Evaluation, EvaluationResult? Confirmation = null);

/// <summary>
/// The file of the best-evaluated policy (<c>best-policy.a3c</c> in the run folder): a checkpoint of its weights and
/// observation statistics (its optimiser state is not that of the run: it is a policy, not a point to resume from),
/// with its version and evaluation in the header, so it outlives the run's later collapse and its restarts.
/// </summary>
public static class BestPolicyFile
{
    /// <summary>Writes <paramref name="learner"/>'s weights as the best policy, atomically.</summary>
    public static void Save(string path, GlobalLearner learner, TrainingCounters counters, EvaluationResult evaluation)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(evaluation);
        learner.SaveCheckpoint(path, counters, JsonSerializer.Serialize(evaluation, RunJson.Options));
    }

    /// <summary>Loads the best policy into <paramref name="learner"/> and returns what it is.</summary>
    /// <exception cref="InvalidDataException">The file is not a best-policy file of this model.</exception>
    public static BestPolicy Load(string path, GlobalLearner learner)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var checkpoint = learner.LoadCheckpoint(path);
        var evaluation = checkpoint.ExtraJson is { } json ? JsonSerializer.Deserialize<EvaluationResult>(json, RunJson.Options) : null;
        return evaluation is null
            ? throw new InvalidDataException($"{path} holds no evaluation: it is not a best-policy file.")
            : new BestPolicy(checkpoint.Counters.ModelVersion, evaluation);
    }

    /// <summary>
    /// Evaluates the best policy of <paramref name="path"/> on <see cref="EvaluationOptions.ConfirmationEpisodes"/>
    /// episodes seeded from <see cref="EvaluationOptions.ConfirmationSeed"/> (other episodes than the periodic ones).
    /// </summary>
    public static BestPolicy Confirm(string path, A3cHyperparameters hyperparameters, EvaluationOptions options, double wallSeconds)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(options);
        using var learner = new GlobalLearner(hyperparameters, seed: 0);
        var best = Load(path, learner);
        using var policy = new ActorCriticPolicy(learner.Model, seed: 0);
        var confirmation = new PolicyEvaluator(new EvaluationOptions
        {
            Episodes = options.ConfirmationEpisodes,
            Seed = options.ConfirmationSeed,
        }).Evaluate(new MeanActionPolicy(policy), best.Evaluation.EnvSteps, best.Evaluation.TrainingEpisodes, wallSeconds);
        return best with { Confirmation = confirmation };
    }
}

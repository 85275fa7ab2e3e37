using System.Diagnostics;
using A3cGrpc.Simulation;

namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// Runs full episodes of a policy on its own environments, all stepped together so that the policy sees
/// one batch per step. Training environments are never touched.
/// </summary>
public sealed class PolicyEvaluator(EvaluationOptions options)
{
    private readonly EvaluationOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>
    /// Runs <see cref="EvaluationOptions.Episodes"/> episodes of <paramref name="policy"/> to truncation and
    /// returns their returns. <paramref name="envSteps"/>, <paramref name="trainingEpisodes"/> and
    /// <paramref name="wallSeconds"/> say where training stood; they are recorded, not used.
    /// </summary>
    public EvaluationResult Evaluate(IBatchPolicy policy, long envSteps = 0, long trainingEpisodes = 0, double wallSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var started = Stopwatch.GetTimestamp();
        var count = _options.Episodes;
        using var envs = new VectorSwingUpEnv(count, _options.Seed);
        envs.ResetAll();

        var actions = new double[count];
        var rewards = new double[count];
        var truncated = new bool[count];
        var returns = new double[count];
        for (var step = 0; step < SwingUpConstants.MaxEpisodeSteps; step++)
        {
            policy.Act(envs.Observations, actions);
            envs.Step(actions, rewards, truncated);
            for (var i = 0; i < count; i++)
            {
                returns[i] += rewards[i];
            }
        }

        return EvaluationResult.FromReturns(
            returns, envSteps, trainingEpisodes, wallSeconds, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}

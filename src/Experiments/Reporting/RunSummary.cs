using System.Text.Json;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>
/// What <c>summary.json</c> says about a run: its settings, totals, milestones and evaluations. Totals and
/// wall time cover the whole run, across resumes; <see cref="SessionStartedAt"/> and
/// <see cref="SessionEnvStepsPerSecond"/> describe the last session only. Per-episode evaluation returns are kept
/// for evaluations of the last session (metrics.csv stores their statistics, not every return). <see cref="BestPolicy"/>
/// names the best-evaluated policy kept in <c>best-policy.a3c</c> and, once the run stopped, its confirming evaluation.
/// </summary>
public sealed record RunSummary(
    string Mode,
    int Seed,
    A3cHyperparameters Hyperparameters,
    EvaluationOptions Evaluation,
    DateTimeOffset SessionStartedAt,
    DateTimeOffset FinishedAt,
    string StopReason,
    long EnvSteps,
    long Episodes,
    long Updates,
    double WallSeconds,
    double SessionEnvStepsPerSecond,
    int Evaluations,
    Milestone? FirstMeanAtLeastProgressThreshold,
    Milestone? Solved,
    EvaluationResult? BestEvaluation,
    EvaluationResult? LastEvaluation,
    BestPolicy? BestPolicy = null)
{
    /// <summary>Writes the summary as indented snake_case JSON, through a temporary file and a rename.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, RunJson.Options));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a summary written by <see cref="Save"/>.</summary>
    public static RunSummary Load(string path) =>
        JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), RunJson.Options)
        ?? throw new InvalidDataException($"{path} holds no run summary.");
}

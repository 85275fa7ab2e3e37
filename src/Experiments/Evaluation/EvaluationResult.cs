namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// One evaluation: <see cref="Episodes"/> full episodes of a fixed policy, and where training stood when
/// it ran. <see cref="Std"/> is the population standard deviation of the returns (numpy's default).
/// </summary>
public sealed record EvaluationResult(
    long EnvSteps,
    long TrainingEpisodes,
    double WallSeconds,
    int Episodes,
    double Mean,
    double Std,
    double Min,
    double Max,
    double DurationSeconds,
    IReadOnlyList<double> Returns)
{
    /// <summary>Summarises <paramref name="returns"/> (at least one) into a result.</summary>
    public static EvaluationResult FromReturns(
        IReadOnlyList<double> returns, long envSteps, long trainingEpisodes, double wallSeconds, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(returns);
        if (returns.Count == 0)
        {
            throw new ArgumentException("An evaluation needs at least one episode return.", nameof(returns));
        }

        var mean = returns.Average();
        var variance = returns.Sum(r => (r - mean) * (r - mean)) / returns.Count;
        return new EvaluationResult(
            envSteps, trainingEpisodes, wallSeconds, returns.Count,
            mean, Math.Sqrt(variance), returns.Min(), returns.Max(), durationSeconds, [.. returns]);
    }
}

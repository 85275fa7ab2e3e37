namespace A3cGrpc.Experiments.Evaluation;

/// <summary>The first evaluation that reached a threshold: when, in env steps and wall time.</summary>
public sealed record Milestone(double Threshold, double Mean, long EnvSteps, double WallSeconds);

/// <summary>
/// Tracks the first evaluation whose mean reached the seed's bar (400) and gym's "solved" threshold (800),
/// and the best evaluation so far.
/// </summary>
public sealed class Milestones(EvaluationOptions options)
{
    private readonly EvaluationOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>First evaluation with mean ≥ <see cref="EvaluationOptions.ProgressThreshold"/>, if any.</summary>
    public Milestone? Progress { get; private set; }

    /// <summary>First evaluation with mean ≥ <see cref="EvaluationOptions.SolvedThreshold"/>, if any.</summary>
    public Milestone? Solved { get; private set; }

    /// <summary>The evaluation with the highest mean so far, if any.</summary>
    public EvaluationResult? Best { get; private set; }

    /// <summary>Records an evaluation; returns true when it is the first to reach the solved threshold.</summary>
    public bool Record(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Best is null || result.Mean > Best.Mean)
        {
            Best = result;
        }

        if (Progress is null && result.Mean >= _options.ProgressThreshold)
        {
            Progress = new Milestone(_options.ProgressThreshold, result.Mean, result.EnvSteps, result.WallSeconds);
        }

        if (Solved is null && result.Mean >= _options.SolvedThreshold)
        {
            Solved = new Milestone(_options.SolvedThreshold, result.Mean, result.EnvSteps, result.WallSeconds);
            return true;
        }

        return false;
    }

    /// <summary>Replays the history of a resumed run so that milestones and the best result carry over.</summary>
    public void Restore(IEnumerable<EvaluationResult> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        foreach (var result in history)
        {
            Record(result);
        }
    }
}

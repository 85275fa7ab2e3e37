namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// A policy that maps a batch of observations to actions, as the evaluator drives it: the learned
/// policy's mean action, or a baseline (zero, random, the spec's swing-up controller).
/// </summary>
public interface IBatchPolicy
{
    /// <summary>A short name for reports, e.g. "mu", "random", "lqr".</summary>
    string Name { get; }

    /// <summary>
    /// Writes one action per observation. <paramref name="observations"/> holds
    /// <paramref name="actions"/>.Length rows of <see cref="Simulation.SwingUpConstants.ObservationSize"/> values.
    /// </summary>
    void Act(ReadOnlySpan<double> observations, Span<double> actions);
}

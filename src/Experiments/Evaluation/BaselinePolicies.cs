namespace A3cGrpc.Experiments.Evaluation;

/// <summary>Always pushes with force 0: the pole just swings about its hanging equilibrium.</summary>
public sealed class ZeroPolicy : IBatchPolicy
{
    /// <inheritdoc />
    public string Name => "zero";

    /// <inheritdoc />
    public void Act(ReadOnlySpan<double> observations, Span<double> actions) => actions.Clear();
}

/// <summary>Uniform random actions in [-1, 1) from its own seeded generator: the "random policy" baseline.</summary>
public sealed class UniformRandomPolicy(int seed) : IBatchPolicy
{
    private readonly Random _random = new(seed);

    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public void Act(ReadOnlySpan<double> observations, Span<double> actions)
    {
        for (var i = 0; i < actions.Length; i++)
        {
            actions[i] = (2.0 * _random.NextDouble()) - 1.0;
        }
    }
}

/// <summary>
/// The spec's hand-written swing-up + LQR controller (docs/env-spec.md §5.8), a strong reference: about 884-886
/// per episode.
/// </summary>
public sealed class SwingUpLqrPolicy : IBatchPolicy
{
    /// <inheritdoc />
    public string Name => "lqr";

    /// <inheritdoc />
    public void Act(ReadOnlySpan<double> observations, Span<double> actions)
    {
        const int size = Simulation.SwingUpConstants.ObservationSize;
        for (var i = 0; i < actions.Length; i++)
        {
            actions[i] = Simulation.Control.SwingUpLqrController.ComputeAction(observations.Slice(i * size, size));
        }
    }
}

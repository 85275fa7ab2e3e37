namespace A3cGrpc.Learning;

/// <summary>
/// One update window of the seed's n-step actor-critic: n consecutive transitions
/// (s_i, a_i unclipped, r_i, s'_i) of one episode, n between 1 and NSteps (shorter at the end of an episode).
/// Rows are stored row-major in flat float arrays. Immutable once built; validated on construction.
/// </summary>
public sealed class NStepWindow
{
    private readonly float[] _states;
    private readonly float[] _actions;
    private readonly float[] _rewards;
    private readonly float[] _nextStates;

    /// <summary>
    /// Builds a window that takes ownership of the arrays (they are not copied: do not change them afterwards).
    /// </summary>
    /// <param name="observationSize">Width of one state.</param>
    /// <param name="actionSize">Width of one action.</param>
    /// <param name="states">n x observationSize states s_i.</param>
    /// <param name="actions">n x actionSize unclipped sampled actions a_i.</param>
    /// <param name="rewards">n rewards r_i.</param>
    /// <param name="nextStates">n x observationSize next states s'_i.</param>
    /// <exception cref="ArgumentException">Empty window, inconsistent lengths or a non-finite value.</exception>
    public NStepWindow(int observationSize, int actionSize, float[] states, float[] actions, float[] rewards, float[] nextStates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(actionSize, 1);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(nextStates);

        var n = rewards.Length;
        if (n < 1)
        {
            throw new ArgumentException("An n-step window needs at least one transition.", nameof(rewards));
        }

        RequireLength(states, (long)n * observationSize, nameof(states), $"{n} x {observationSize}");
        RequireLength(nextStates, (long)n * observationSize, nameof(nextStates), $"{n} x {observationSize}");
        RequireLength(actions, (long)n * actionSize, nameof(actions), $"{n} x {actionSize}");
        RequireFinite(states, observationSize, nameof(states));
        RequireFinite(actions, actionSize, nameof(actions));
        RequireFinite(rewards, 1, nameof(rewards));
        RequireFinite(nextStates, observationSize, nameof(nextStates));

        ObservationSize = observationSize;
        ActionSize = actionSize;
        _states = states;
        _actions = actions;
        _rewards = rewards;
        _nextStates = nextStates;
    }

    /// <summary>Number of transitions n.</summary>
    public int Count => _rewards.Length;

    /// <summary>Width of one state.</summary>
    public int ObservationSize { get; }

    /// <summary>Width of one action.</summary>
    public int ActionSize { get; }

    /// <summary>States s_i, n x ObservationSize, row-major.</summary>
    public ReadOnlySpan<float> States => _states;

    /// <summary>Unclipped sampled actions a_i, n x ActionSize, row-major.</summary>
    public ReadOnlySpan<float> Actions => _actions;

    /// <summary>Rewards r_i.</summary>
    public ReadOnlySpan<float> Rewards => _rewards;

    /// <summary>Next states s'_i, n x ObservationSize, row-major.</summary>
    public ReadOnlySpan<float> NextStates => _nextStates;

    private static void RequireLength(float[] values, long expected, string name, string shape)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException($"{name} must hold {shape} = {expected} values, got {values.Length}.", name);
        }
    }

    private static void RequireFinite(float[] values, int rowWidth, string name)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"{name} holds a non-finite value ({values[i]}) at transition {i / rowWidth}, element {i % rowWidth}.", name);
            }
        }
    }
}

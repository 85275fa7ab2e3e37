namespace A3cGrpc.Learning;

/// <summary>
/// The seed's n-step memory: collects transitions until it holds <see cref="Capacity"/> of them (or the episode
/// ends), then hands them over as an <see cref="NStepWindow"/> and is cleared. Storage is allocated once.
/// Not thread-safe.
/// </summary>
public sealed class NStepBuffer
{
    private readonly float[] _states;
    private readonly float[] _actions;
    private readonly float[] _rewards;
    private readonly float[] _nextStates;

    /// <summary>A buffer for windows of up to <paramref name="capacity"/> transitions.</summary>
    public NStepBuffer(int capacity, int observationSize, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(actionSize, 1);
        Capacity = capacity;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        _states = new float[capacity * observationSize];
        _actions = new float[capacity * actionSize];
        _rewards = new float[capacity];
        _nextStates = new float[capacity * observationSize];
    }

    /// <summary>A buffer of <see cref="A3cHyperparameters.NSteps"/> transitions with the configured sizes.</summary>
    public NStepBuffer(A3cHyperparameters hyperparameters)
        : this(
            (hyperparameters ?? throw new ArgumentNullException(nameof(hyperparameters))).NSteps,
            hyperparameters.ObservationSize,
            hyperparameters.ActionSize)
    {
    }

    /// <summary>Most transitions the buffer holds (NSteps).</summary>
    public int Capacity { get; }

    /// <summary>Width of one state.</summary>
    public int ObservationSize { get; }

    /// <summary>Width of one action.</summary>
    public int ActionSize { get; }

    /// <summary>Transitions held now.</summary>
    public int Count { get; private set; }

    /// <summary>True when <see cref="Count"/> equals <see cref="Capacity"/>: time for an update.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>True when no transition is held.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Appends one transition (copied).</summary>
    /// <param name="state">s_i, ObservationSize values.</param>
    /// <param name="action">a_i, the UNCLIPPED sample, ActionSize values.</param>
    /// <param name="reward">r_i.</param>
    /// <param name="nextState">s'_i, ObservationSize values.</param>
    /// <exception cref="InvalidOperationException">The buffer is full.</exception>
    /// <exception cref="ArgumentException">A length is wrong or a value is not finite.</exception>
    public void Add(ReadOnlySpan<float> state, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> nextState)
    {
        if (IsFull)
        {
            throw new InvalidOperationException($"The n-step buffer already holds {Capacity} transitions; take the window and clear it first.");
        }

        RequireRow(state, ObservationSize, nameof(state));
        RequireRow(action, ActionSize, nameof(action));
        RequireRow(nextState, ObservationSize, nameof(nextState));
        if (!float.IsFinite(reward))
        {
            throw new ArgumentException($"reward must be finite, got {reward}.", nameof(reward));
        }

        state.CopyTo(_states.AsSpan(Count * ObservationSize, ObservationSize));
        action.CopyTo(_actions.AsSpan(Count * ActionSize, ActionSize));
        _rewards[Count] = reward;
        nextState.CopyTo(_nextStates.AsSpan(Count * ObservationSize, ObservationSize));
        Count++;
    }

    /// <summary>Appends one transition with a one-dimensional action (copied).</summary>
    public void Add(ReadOnlySpan<float> state, float action, float reward, ReadOnlySpan<float> nextState) =>
        Add(state, new ReadOnlySpan<float>(in action), reward, nextState);

    /// <summary>A window holding a copy of the transitions collected so far (the buffer is left unchanged).</summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public NStepWindow ToWindow()
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException("The n-step buffer is empty: there is no window to take.");
        }

        return new NStepWindow(
            ObservationSize,
            ActionSize,
            _states.AsSpan(0, Count * ObservationSize).ToArray(),
            _actions.AsSpan(0, Count * ActionSize).ToArray(),
            _rewards.AsSpan(0, Count).ToArray(),
            _nextStates.AsSpan(0, Count * ObservationSize).ToArray());
    }

    /// <summary>Forgets every transition (the seed clears its memory after each update).</summary>
    public void Clear() => Count = 0;

    private static void RequireRow(ReadOnlySpan<float> values, int width, string name)
    {
        if (values.Length != width)
        {
            throw new ArgumentException($"{name} must hold {width} values, got {values.Length}.", name);
        }

        foreach (var value in values)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"{name} holds a non-finite value ({value}).", name);
            }
        }
    }
}

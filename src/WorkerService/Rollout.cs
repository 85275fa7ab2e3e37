using A3cGrpc.Distributed.Simulation;
using A3cGrpc.Learning;

namespace A3cGrpc.WorkerService;

/// <summary>
/// One n-step window per lock-step environment, plus the running episode returns. The environments' episodes all
/// last the time limit and start together, so a rollout that meets an episode end stops there for all of them
/// (the seed updates at an episode's end with whatever the window holds).
/// </summary>
internal sealed class Rollout
{
    private readonly NStepBuffer[] _buffers;
    private readonly double[] _episodeReturns;
    private readonly float[] _states;
    private readonly List<double> _finished = [];

    public Rollout(A3cHyperparameters hyperparameters, int environments)
    {
        _buffers = Enumerable.Range(0, environments).Select(_ => new NStepBuffer(hyperparameters)).ToArray();
        _episodeReturns = new double[environments];
        _states = new float[environments * hyperparameters.ObservationSize];
        ObservationSize = hyperparameters.ObservationSize;
        ActionSize = hyperparameters.ActionSize;
        Actions = new float[environments * ActionSize];
        Mu = new float[environments * ActionSize];
        Std = new float[environments * ActionSize];
        Values = new float[environments];
    }

    public int ObservationSize { get; }

    public int ActionSize { get; }

    public int Environments => _buffers.Length;

    /// <summary>n: transitions per environment in a full rollout.</summary>
    public int Capacity => _buffers[0].Capacity;

    /// <summary>The states the next actions are taken in (K x observation size).</summary>
    public ReadOnlySpan<float> States => _states;

    public float[] Actions { get; }

    public float[] Mu { get; }

    public float[] Std { get; }

    public float[] Values { get; }

    /// <summary>Transitions per environment collected so far.</summary>
    public int Steps => _buffers[0].Count;

    public bool IsFull => _buffers[0].IsFull;

    /// <summary>Sum of this rollout's rewards over all environments.</summary>
    public double RewardSum { get; private set; }

    /// <summary>Returns of the episodes that ended during this rollout.</summary>
    public IReadOnlyList<double> FinishedEpisodes => _finished;

    /// <summary>Starts a new rollout from the session's current observations (keeps running episode returns).</summary>
    public void Begin(SimulatorSession session)
    {
        foreach (var buffer in _buffers)
        {
            buffer.Clear();
        }

        _finished.Clear();
        RewardSum = 0;
        session.Observations.CopyTo(_states);
    }

    /// <summary>Forgets running episode returns (a new session starts new episodes).</summary>
    public void ResetEpisodes() => Array.Clear(_episodeReturns);

    /// <summary>Records the step just taken with <see cref="Actions"/>; returns true when an episode ended.</summary>
    public bool Record(SimulatorSession session)
    {
        var rewards = session.Rewards;
        var truncated = session.Truncated;
        var episodeEnded = false;
        for (var i = 0; i < _buffers.Length; i++)
        {
            var state = _states.AsSpan(i * ObservationSize, ObservationSize);
            _buffers[i].Add(state, Actions.AsSpan(i * ActionSize, ActionSize), rewards[i], session.NextStateOf(i));
            RewardSum += rewards[i];
            _episodeReturns[i] += rewards[i];
            if (truncated[i])
            {
                _finished.Add(_episodeReturns[i]);
                _episodeReturns[i] = 0;
                episodeEnded = true;
            }
        }

        session.Observations.CopyTo(_states);
        return episodeEnded;
    }

    /// <summary>The windows to learn from, one per environment.</summary>
    public NStepWindow[] ToWindows() => _buffers.Select(b => b.ToWindow()).ToArray();

    /// <summary>The statistics of the states of <paramref name="windows"/> (what an update learns from).</summary>
    public static ObservationStatistics StatisticsOf(IReadOnlyList<NStepWindow> windows)
    {
        var statistics = ObservationStatistics.Empty(windows[0].ObservationSize);
        foreach (var window in windows)
        {
            statistics = statistics.Merge(ObservationStatistics.FromRows(window.States, window.ObservationSize));
        }

        return statistics;
    }
}

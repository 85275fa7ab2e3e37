using A3cGrpc.Distributed.SimulatorClient;
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
    private readonly List<NStepWindow> _closed = [];
    private readonly bool[] _cutEpisode;
    private int _steps;

    public Rollout(A3cHyperparameters hyperparameters, int environments)
    {
        _buffers = Enumerable.Range(0, environments).Select(_ => new NStepBuffer(hyperparameters)).ToArray();
        StaggersEpisodes = hyperparameters.StaggerEpisodes;
        Capacity = hyperparameters.NSteps;
        _cutEpisode = new bool[environments];
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
    public int Capacity { get; }

    /// <summary>
    /// Episodes are staggered (<see cref="A3cHyperparameters.StaggerEpisodes"/>): each environment's window ends with its
    /// own episode, and a rollout always lasts n steps; a session's first episodes are cut short by the simulator.
    /// </summary>
    public bool StaggersEpisodes { get; }

    /// <summary>The states the next actions are taken in (K x observation size).</summary>
    public ReadOnlySpan<float> States => _states;

    public float[] Actions { get; }

    public float[] Mu { get; }

    public float[] Std { get; }

    public float[] Values { get; }

    /// <summary>Steps of this rollout so far (transitions per environment).</summary>
    public int Steps => _steps;

    public bool IsFull => _steps == Capacity;

    /// <summary>Sum of this rollout's rewards over all environments.</summary>
    public double RewardSum { get; private set; }

    /// <summary>Returns of the episodes that ended during this rollout.</summary>
    public IReadOnlyList<double> FinishedEpisodes => _finished;

    /// <summary>Starts a new rollout from the session's current observations (keeps running episode returns).</summary>
    public void Begin(IEnvironmentSession session)
    {
        foreach (var buffer in _buffers)
        {
            buffer.Clear();
        }

        _finished.Clear();
        _closed.Clear();
        _steps = 0;
        RewardSum = 0;
        session.Observations.CopyTo(_states);
    }

    /// <summary>
    /// Forgets running episode returns (a new session starts new episodes); with staggered episodes, the session's first
    /// episodes (all but the last environment's) are cut short and are not reported as whole episodes.
    /// </summary>
    public void ResetEpisodes()
    {
        Array.Clear(_episodeReturns);
        for (var i = 0; i < _cutEpisode.Length; i++)
        {
            _cutEpisode[i] = StaggersEpisodes && i < _cutEpisode.Length - 1;
        }
    }

    /// <summary>
    /// Records the step just taken with <see cref="Actions"/>; returns true when the rollout must stop there because an
    /// episode ended (in lock step: all of them end together). With staggered episodes an environment whose episode
    /// ended closes its window and starts a new one, and the rollout goes on.
    /// </summary>
    public bool Record(IEnvironmentSession session)
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
                if (!_cutEpisode[i])
                {
                    _finished.Add(_episodeReturns[i]);
                }

                _cutEpisode[i] = false;
                _episodeReturns[i] = 0;
                episodeEnded = true;
                if (StaggersEpisodes)
                {
                    _closed.Add(_buffers[i].ToWindow());
                    _buffers[i].Clear();
                }
            }
        }

        _steps++;
        session.Observations.CopyTo(_states);
        return episodeEnded && !StaggersEpisodes;
    }

    /// <summary>The windows to learn from: one per environment, and with staggered episodes also those closed by an episode end.</summary>
    public NStepWindow[] ToWindows() => [.. _closed, .. _buffers.Where(b => !b.IsEmpty).Select(b => b.ToWindow())];

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

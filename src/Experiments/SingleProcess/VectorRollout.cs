using A3cGrpc.Learning;
using A3cGrpc.Simulation;

namespace A3cGrpc.Experiments.SingleProcess;

/// <summary>What one step of <see cref="VectorRollout"/> produced.</summary>
/// <param name="Batch">The windows to learn from now, or null when no update is due.</param>
/// <param name="FinishedEpisodes">Returns of the whole episodes that ended at this step.</param>
internal readonly record struct RolloutStep(NStepWindow[]? Batch, IReadOnlyList<double> FinishedEpisodes);

/// <summary>
/// The single-process trainer's acting side: K environments in lock step, acted on by the learner's network with its
/// own action stream, and the n-step windows they fill. In lock step (the seed's modes) an update is due every n steps
/// and once more with what is left when the episodes end; with staggered episodes each environment's window ends with
/// its own episode and an update comes every n steps.
/// </summary>
/// <remarks>
/// Round r runs episodes rK .. rK + K - 1 together: episode e's environment is seeded from (seed, 2e) and the round
/// samples from (seed, 2rK + 1), so K = 1 is the seed's one episode at a time. With staggered episodes one round is the
/// whole session: each environment draws its later episodes from its own generator, and its first episode is cut at
/// (i + 1)/K of the time limit.
/// </remarks>
internal sealed class VectorRollout : IDisposable
{
    private static readonly double[] _noEpisodes = [];

    private readonly A3cHyperparameters _hyper;
    private readonly int _seed;
    private readonly ActorCriticPolicy _policy;
    private readonly NStepBuffer[] _windows;
    private readonly int _observationSize = SwingUpConstants.ObservationSize;
    private readonly float[] _actions;
    private readonly float[] _mu;
    private readonly float[] _std;
    private readonly float[] _values;
    private readonly double[] _clipped;
    private readonly double[] _rewards;
    private readonly bool[] _truncated;
    private readonly double[] _episodeReturns;
    private readonly int[] _firstEpisodeSteps;
    private readonly List<NStepWindow> _pending = [];
    private readonly List<double> _finished = [];
    private float[] _states;
    private float[] _nextStates;
    private VectorSwingUpEnv? _env;
    private int _rolloutSteps;

    /// <summary>A rollout of <see cref="A3cHyperparameters.EnvironmentsPerLearner"/> environments acting with <paramref name="model"/>.</summary>
    public VectorRollout(A3cHyperparameters hyper, int seed, ActorCritic model)
    {
        _hyper = hyper ?? throw new ArgumentNullException(nameof(hyper));
        _seed = seed;
        _policy = new ActorCriticPolicy(model, seed);
        Environments = hyper.EnvironmentsPerLearner(distributed: false);
        _windows = [.. Enumerable.Range(0, Environments).Select(_ => new NStepBuffer(hyper))];
        _states = new float[Environments * _observationSize];
        _nextStates = new float[Environments * _observationSize];
        _actions = new float[Environments];
        _mu = new float[Environments];
        _std = new float[Environments];
        _values = new float[Environments];
        _clipped = new double[Environments];
        _rewards = new double[Environments];
        _truncated = new bool[Environments];
        _episodeReturns = new double[Environments];
        _firstEpisodeSteps = new int[Environments];
    }

    /// <summary>K, the environments stepped together.</summary>
    public int Environments { get; }

    /// <summary>
    /// Steps every environment once (starting a round first if none is running, its first episode numbered
    /// <paramref name="episodesSoFar"/>): samples from Normal(μ, σ), the environment gets the clipped action and the
    /// window the sample.
    /// </summary>
    public RolloutStep Step(long episodesSoFar)
    {
        var env = _env ?? StartRound(episodesSoFar);
        _finished.Clear();
        _policy.Act(_states, _actions, _mu, _std, _values);
        for (var i = 0; i < Environments; i++)
        {
            _clipped[i] = ActorCriticPolicy.ClipAction(_actions[i], _hyper.ActionLow, _hyper.ActionHigh);
        }

        env.Step(_clipped, _rewards, _truncated);
        env.CopyObservationsTo(_nextStates);
        for (var i = 0; i < Environments; i++)
        {
            _windows[i].Add(
                _states.AsSpan(i * _observationSize, _observationSize), _actions[i], (float)_rewards[i], _nextStates.AsSpan(i * _observationSize, _observationSize));
            _episodeReturns[i] += _rewards[i];
        }

        return _hyper.StaggerEpisodes ? StepStaggered(env) : StepInLockStep();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _env?.Dispose();
        _policy.Dispose();
    }

    private RolloutStep StepInLockStep()
    {
        // Every n steps, and once more with whatever is left when the episodes end (docs/seed-report.md).
        var ended = _truncated[0];
        var batch = _windows[0].IsFull || ended ? TakeBatch([]) : null;
        if (!ended)
        {
            (_states, _nextStates) = (_nextStates, _states);
            return new RolloutStep(batch, _noEpisodes);
        }

        _finished.AddRange(_episodeReturns);
        _env!.Dispose();
        _env = null;
        return new RolloutStep(batch, _finished);
    }

    private RolloutStep StepStaggered(VectorSwingUpEnv env)
    {
        for (var i = 0; i < Environments; i++)
        {
            var cut = env.GetElapsedSteps(i) == _firstEpisodeSteps[i];
            if (!_truncated[i] && !cut)
            {
                continue;
            }

            _pending.Add(_windows[i].ToWindow());
            _windows[i].Clear();
            if (_firstEpisodeSteps[i] == SwingUpConstants.MaxEpisodeSteps)
            {
                _finished.Add(_episodeReturns[i]); // a cut first episode is not a whole one
            }

            _episodeReturns[i] = 0;
            _firstEpisodeSteps[i] = SwingUpConstants.MaxEpisodeSteps;
            env.Reset(i);
        }

        NStepWindow[]? batch = null;
        if (++_rolloutSteps == _hyper.NSteps)
        {
            batch = TakeBatch(_pending);
            _pending.Clear();
            _rolloutSteps = 0;
        }

        env.CopyObservationsTo(_states);
        return new RolloutStep(batch, _finished);
    }

    /// <summary><paramref name="closed"/> and every window with transitions; the windows start again.</summary>
    private NStepWindow[] TakeBatch(List<NStepWindow> closed)
    {
        NStepWindow[] batch = [.. closed, .. _windows.Where(w => !w.IsEmpty).Select(w => w.ToWindow())];
        foreach (var window in _windows)
        {
            window.Clear();
        }

        return batch;
    }

    private VectorSwingUpEnv StartRound(long episodesSoFar)
    {
        var first = checked((int)episodesSoFar);
        var env = new VectorSwingUpEnv([.. Enumerable.Range(first, Environments).Select(e => VectorSwingUpEnv.DeriveSeed(_seed, checked(2 * e)))]);
        _policy.Reseed(VectorSwingUpEnv.DeriveSeed(_seed, checked((2 * first) + 1)));
        env.ResetAll();
        env.CopyObservationsTo(_states);
        Array.Clear(_episodeReturns);
        foreach (var window in _windows)
        {
            window.Clear();
        }

        for (var i = 0; i < Environments; i++)
        {
            _firstEpisodeSteps[i] = _hyper.StaggerEpisodes ? EpisodeStagger.FirstEpisodeSteps(i, Environments) : SwingUpConstants.MaxEpisodeSteps;
        }

        _pending.Clear();
        _rolloutSteps = 0;
        _env = env;
        return env;
    }
}

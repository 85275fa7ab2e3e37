using System.Diagnostics;
using A3cGrpc.Distributed.SimulatorClient;
using Grpc.Core;

namespace A3cGrpc.WorkerService.Tests.Fakes;

/// <summary>
/// An in-memory simulator connection: each session is K environments with a tiny deterministic dynamics (each
/// observation value decays towards the clipped first action component; the reward is minus its square, so within
/// [-1, 0]; every episode is truncated after <see cref="EpisodeLength"/> steps and starts again from its first
/// observation). It records the sessions it opened and its resets, and can be told to fail a step the way a broken
/// EnvSim stream does (RpcException Unavailable, the session broken from then on).
/// </summary>
internal sealed class FakeSimulator(int observationSize, int actionSize, int episodeLength = 6) : ISimulatorConnection
{
    private readonly Lock _lock = new();
    private readonly List<FakeEnvironmentSession> _sessions = [];
    private long _steps;
    private long _failAtStep;
    private int _resets;

    public int ObservationSize { get; } = observationSize;

    public int ActionSize { get; } = actionSize;

    /// <summary>Steps after which every episode is truncated.</summary>
    public int EpisodeLength { get; } = episodeLength;

    /// <summary>The sessions opened, in order.</summary>
    public IReadOnlyList<FakeEnvironmentSession> Sessions
    {
        get
        {
            lock (_lock)
            {
                return [.. _sessions];
            }
        }
    }

    /// <summary>Calls of <see cref="ResetAfterFailureAsync"/>.</summary>
    public int ResetsAfterFailure
    {
        get
        {
            lock (_lock)
            {
                return _resets;
            }
        }
    }

    /// <summary>The <paramref name="n"/>th step from now (over all sessions) throws RpcException Unavailable and breaks its session.</summary>
    public void FailOnStep(int n)
    {
        lock (_lock)
        {
            _failAtStep = _steps + n;
        }
    }

    /// <summary>Opens a session (synchronously); <see cref="OpenSessionAsync"/> is this as a task.</summary>
    public FakeEnvironmentSession OpenSession(int environments, bool staggerEpisodes)
    {
        var session = new FakeEnvironmentSession(this, environments, staggerEpisodes);
        lock (_lock)
        {
            _sessions.Add(session);
        }

        return session;
    }

    public Task<IEnvironmentSession> OpenSessionAsync(int environments, bool staggerEpisodes, CancellationToken cancellationToken) =>
        Task.FromResult<IEnvironmentSession>(OpenSession(environments, staggerEpisodes));

    public Task ResetAfterFailureAsync()
    {
        lock (_lock)
        {
            _resets++;
        }

        return Task.CompletedTask;
    }

    /// <summary>Counts a step; true when it is the one to fail.</summary>
    internal bool CountStep()
    {
        lock (_lock)
        {
            return ++_steps == _failAtStep;
        }
    }
}

/// <summary>One session of <see cref="FakeSimulator"/>. Not thread-safe, like the real one.</summary>
internal sealed class FakeEnvironmentSession : IEnvironmentSession
{
    private readonly FakeSimulator _simulator;
    private readonly float[] _observations;
    private readonly float[] _finalObservations;
    private readonly float[] _rewards;
    private readonly bool[] _truncated;
    private readonly int[] _episodeSteps;
    private readonly List<bool> _endsRollout = [];
    private RpcException? _failure;

    public FakeEnvironmentSession(FakeSimulator simulator, int count, bool staggerEpisodes)
    {
        _simulator = simulator;
        Count = count;
        StaggersEpisodes = staggerEpisodes;
        _observations = new float[count * simulator.ObservationSize];
        _finalObservations = new float[count * simulator.ObservationSize];
        _rewards = new float[count];
        _truncated = new bool[count];
        _episodeSteps = new int[count];
        for (var env = 0; env < count; env++)
        {
            Restart(env);
        }
    }

    public int Count { get; }

    /// <summary>The session was opened with staggered episodes (the fake's episodes are not staggered).</summary>
    public bool StaggersEpisodes { get; }

    public bool IsDisposed { get; private set; }

    public bool IsBroken => _failure is not null;

    /// <summary>The <c>endsRollout</c> flag of every step, in order.</summary>
    public IReadOnlyList<bool> EndsRollout => _endsRollout;

    public ReadOnlySpan<float> Observations => _observations;

    public ReadOnlySpan<float> Rewards => _rewards;

    public ReadOnlySpan<bool> Truncated => _truncated;

    public ReadOnlySpan<float> NextStateOf(int env)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(env);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(env, Count);
        var size = _simulator.ObservationSize;
        return (_truncated[env] ? _finalObservations : _observations).AsSpan(env * size, size);
    }

    public Task StepAsync(ReadOnlyMemory<float> actions, ActivityContext traceContext, bool endsRollout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_failure is not null)
        {
            throw new RpcException(_failure.Status);
        }

        if (actions.Length != Count * _simulator.ActionSize)
        {
            throw new ArgumentException($"Expected {Count * _simulator.ActionSize} actions, got {actions.Length}.", nameof(actions));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_simulator.CountStep())
        {
            _failure = new RpcException(new Status(StatusCode.Unavailable, "The simulator ended the session without a reply."));
            throw _failure;
        }

        _endsRollout.Add(endsRollout);
        var size = _simulator.ObservationSize;
        for (var env = 0; env < Count; env++)
        {
            var action = Math.Clamp(actions.Span[env * _simulator.ActionSize], -1f, 1f);
            var observation = _observations.AsSpan(env * size, size);
            for (var j = 0; j < size; j++)
            {
                observation[j] = (0.8f * observation[j]) + (0.2f * action);
            }

            _rewards[env] = -action * action;
            _truncated[env] = ++_episodeSteps[env] == _simulator.EpisodeLength;
            if (_truncated[env])
            {
                observation.CopyTo(_finalObservations.AsSpan(env * size, size));
                Restart(env);
            }
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return ValueTask.CompletedTask;
    }

    private void Restart(int env)
    {
        var size = _simulator.ObservationSize;
        for (var j = 0; j < size; j++)
        {
            _observations[(env * size) + j] = 0.1f * (env + 1) * (j % 2 == 0 ? 1 : -1);
        }

        _episodeSteps[env] = 0;
    }
}

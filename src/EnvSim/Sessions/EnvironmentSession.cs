using System.Globalization;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Simulation;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.Core;

namespace A3cGrpc.EnvSim.Sessions;

/// <summary>
/// The environments of one <c>Run</c> stream and the reply to each command. Every command is checked in full before
/// any environment is touched, so a rejected command (an <see cref="RpcException"/>) leaves the session unchanged.
/// The buffers and the reply message are reused from step to step. Not thread-safe: one stream, one caller.
/// </summary>
/// <param name="maxEnvironments">The most environments this session may hold (<c>Simulator:MaxEnvironments</c>).</param>
public sealed class EnvironmentSession(int maxEnvironments) : IDisposable
{
    private const int ObservationSize = SwingUpConstants.ObservationSize;
    private const int ActionSize = SwingUpConstants.ActionSize;

    private readonly SimulatorReply _reply = new();
    private readonly float[] _finalObservation = new float[ObservationSize];
    private VectorSwingUpEnv? _environments;
    private double[] _actions = [];
    private double[] _rewards = [];
    private float[] _rewardValues = [];
    private bool[] _truncated = [];
    private float[] _observationValues = [];
    private int[] _firstEpisodeSteps = [];
    private long _steps;

    /// <summary>K, the environments of the session; 0 before the first reset.</summary>
    public int Count => _environments?.Count ?? 0;

    /// <summary>Steps taken in this session (each steps all K environments).</summary>
    public long Steps => _steps;

    /// <summary>
    /// Applies <paramref name="command"/> and returns the reply. The reply object is reused: it is valid until the
    /// next call.
    /// </summary>
    /// <exception cref="RpcException">
    /// The command is invalid (InvalidArgument, FailedPrecondition, ResourceExhausted; the session is unchanged), or
    /// the native simulation failed (Internal).
    /// </exception>
    public SimulatorReply Handle(SimulatorCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.CommandCase switch
        {
            SimulatorCommand.CommandOneofCase.Reset => Reset(command.Reset),
            SimulatorCommand.CommandOneofCase.Step => Step(command.Step),
            _ => throw Reject(StatusCode.InvalidArgument, "The command is empty: set either 'reset' or 'step'."),
        };
    }

    /// <summary>
    /// Creates the K environments (first reset) or replaces them with K fresh ones seeded from the new base seed
    /// (a later reset, which must keep K), resets them all and replies with their first observations.
    /// </summary>
    public SimulatorReply Reset(ResetCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var count = command.Count;
        if (count < 1)
        {
            throw Reject(StatusCode.InvalidArgument, $"reset.count must be at least 1, got {count}.");
        }

        if (count > maxEnvironments)
        {
            throw Reject(
                StatusCode.ResourceExhausted,
                $"reset.count {count} exceeds this simulator's limit of {maxEnvironments} environments per session (Simulator:MaxEnvironments).");
        }

        if (_environments is not null && count != _environments.Count)
        {
            throw Reject(
                StatusCode.InvalidArgument,
                $"reset.count {count} differs from this session's {_environments.Count} environments: a session keeps its count (open a new session for another count).");
        }

        var fresh = CreateEnvironments(count, command.BaseSeed);
        _environments?.Dispose();
        _environments = fresh;
        EnsureBuffers(count);
        _firstEpisodeSteps = [.. Enumerable.Range(0, count).Select(i =>
            command.StaggerEpisodes ? EpisodeStagger.FirstEpisodeSteps(i, count) : SwingUpConstants.MaxEpisodeSteps)];

        ClearReply();
        AddObservations(fresh);
        _reply.Step = _steps;
        return _reply;
    }

    /// <summary>
    /// Steps all K environments with the command's actions; resets every environment whose episode was truncated,
    /// reporting the observation it ended on in <c>final_observations</c>.
    /// </summary>
    public SimulatorReply Step(StepCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var environments = _environments
            ?? throw Reject(StatusCode.FailedPrecondition, "Step before reset: the first command of a session must be a reset.");
        ReadActions(command.Actions, environments.Count);

        ClearReply();
        try
        {
            environments.Step(_actions, _rewards, _truncated);
            for (var i = 0; i < _truncated.Length; i++)
            {
                // A staggered first episode ends early, as a truncation; later ones last the time limit.
                _truncated[i] |= environments.GetElapsedSteps(i) == _firstEpisodeSteps[i];
                if (_truncated[i])
                {
                    _firstEpisodeSteps[i] = SwingUpConstants.MaxEpisodeSteps;
                    AddFinalObservation(environments.GetObservation(i));
                    environments.Reset(i);
                }
            }
        }
        catch (BulletException e)
        {
            throw Reject(StatusCode.Internal, $"The native simulation failed: {e.Message}");
        }

        _steps++;
        AddObservations(environments);
        for (var i = 0; i < _rewards.Length; i++)
        {
            _rewardValues[i] = (float)_rewards[i];
        }

        _reply.Rewards.AddRange(_rewardValues.AsSpan());
        _reply.Truncated.AddRange(_truncated.AsSpan());
        _reply.Step = _steps;
        return _reply;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _environments?.Dispose();
        _environments = null;
    }

    private static VectorSwingUpEnv CreateEnvironments(int count, int baseSeed)
    {
        VectorSwingUpEnv? environments = null;
        try
        {
            environments = new VectorSwingUpEnv(count, baseSeed);
            environments.ResetAll();
            return environments;
        }
        catch (BulletException e)
        {
            environments?.Dispose();
            throw Reject(StatusCode.Internal, $"The native simulation failed to create {count} environments: {e.Message}");
        }
    }

    private static RpcException Reject(StatusCode code, string message) => new(new Status(code, message));

    /// <summary>Checks the actions' count and values, then copies them to the double buffer the environments take.</summary>
    private void ReadActions(RepeatedField<float> actions, int count)
    {
        var expected = count * ActionSize;
        if (actions.Count != expected)
        {
            throw Reject(
                StatusCode.InvalidArgument,
                $"step.actions has {actions.Count} values; this session needs {expected} (K = {count} environments × {ActionSize} action).");
        }

        for (var i = 0; i < expected; i++)
        {
            var action = actions[i];
            if (!float.IsFinite(action))
            {
                throw Reject(
                    StatusCode.InvalidArgument,
                    $"step.actions[{i}] (environment {i / ActionSize}) is {action.ToString(CultureInfo.InvariantCulture)}; actions must be finite numbers.");
            }

            _actions[i] = action;
        }
    }

    private void EnsureBuffers(int count)
    {
        if (_actions.Length == count * ActionSize)
        {
            return;
        }

        _actions = new double[count * ActionSize];
        _rewards = new double[count];
        _rewardValues = new float[count];
        _truncated = new bool[count];
        _observationValues = new float[count * ObservationSize];
    }

    private void ClearReply()
    {
        _reply.Observations.Clear();
        _reply.Rewards.Clear();
        _reply.Truncated.Clear();
        _reply.FinalObservations.Clear();
    }

    private void AddObservations(VectorSwingUpEnv environments)
    {
        environments.CopyObservationsTo(_observationValues);
        _reply.Observations.AddRange(_observationValues.AsSpan());
    }

    private void AddFinalObservation(ReadOnlySpan<double> observation)
    {
        for (var j = 0; j < ObservationSize; j++)
        {
            _finalObservation[j] = (float)observation[j];
        }

        _reply.FinalObservations.AddRange(_finalObservation.AsSpan());
    }
}

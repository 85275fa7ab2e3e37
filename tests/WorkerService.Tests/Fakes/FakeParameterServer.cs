using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using Grpc.Core;
using ObservationStatistics = A3cGrpc.Learning.ObservationStatistics;

namespace A3cGrpc.WorkerService.Tests.Fakes;

/// <summary>
/// An in-memory parameter server: describes a real model the way the server does, answers pulls with that model's
/// encoded weights (or "not modified" when the caller's version is current), answers an applied push that asks for them
/// with the weights of the current version (unless <see cref="RepliesWithWeights"/> is off, as an older server), and
/// records every call. Its version
/// changes only when a test sets <see cref="Version"/>: an applied push does not move it. It can be told to refuse
/// pushes (the server's FAILED_PRECONDITION or INVALID_ARGUMENT with the refusal trailer), to finish training, and to
/// hold pushes until released (a held push cancelled by its token ends as a gRPC client's does: RpcException
/// Cancelled). Thread-safe.
/// </summary>
internal sealed class FakeParameterServer : IParameterServer
{
    /// <summary>The server's default staleness bound, as described.</summary>
    public const int MaxStaleness = 32;

    private readonly Lock _lock = new();
    private readonly A3cHyperparameters _hyperparameters;
    private readonly NamedTensors _weights;
    private readonly ObservationStatistics? _observationStatistics;
    private readonly Queue<string> _refusals = new();
    private readonly List<string> _calls = [];
    private readonly List<long> _pulls = [];
    private readonly List<PushGradientsRequest> _pushes = [];
    private readonly List<PushGradientsRequest> _applied = [];
    private long _version;
    private string _finishedReason = string.Empty;
    private int _finishedStatusPolls;
    private TaskCompletionSource? _hold;
    private TaskCompletionSource _pushArrived = NewSignal();

    /// <summary>A server at <paramref name="version"/> whose weights are a new model of <paramref name="hyperparameters"/>.</summary>
    public FakeParameterServer(A3cHyperparameters hyperparameters, long version = 1, long seed = 7)
    {
        _hyperparameters = hyperparameters;
        using var model = new GlobalLearner(hyperparameters, seed);
        _weights = model.ExportParameters();
        _observationStatistics = model.Model.ObservationStatistics;
        _version = version;
    }

    /// <summary>The current version (what a pull answers with and a push's reply names).</summary>
    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
        set
        {
            lock (_lock)
            {
                _version = value;
            }
        }
    }

    /// <summary>Whether an applied push that asks for the weights (<c>return_parameters</c>) gets them (default: yes).</summary>
    public bool RepliesWithWeights { get; set; } = true;

    /// <summary>The model's layout: its parameters' names and shapes (the values are the weights pulls return).</summary>
    public NamedTensors Weights => _weights;

    /// <summary>Every call, in order: <c>describe</c>, <c>pull {known version}</c>, <c>push {update id} applied|refused {reason}|cancelled</c>, <c>status finished|training</c>.</summary>
    public IReadOnlyList<string> Calls => Snapshot(_calls);

    /// <summary>The known version of every pull, in order.</summary>
    public IReadOnlyList<long> Pulls => Snapshot(_pulls);

    /// <summary>Every push received (applied, refused or cancelled), in order.</summary>
    public IReadOnlyList<PushGradientsRequest> Pushes => Snapshot(_pushes);

    /// <summary>The pushes applied, in order.</summary>
    public IReadOnlyList<PushGradientsRequest> Applied => Snapshot(_applied);

    /// <summary>Completes when a push arrives while pushes are held (<see cref="HoldPushes"/>).</summary>
    public Task PushArrived
    {
        get
        {
            lock (_lock)
            {
                return _pushArrived.Task;
            }
        }
    }

    /// <summary>The description the server gives (<c>ParameterStoreService.DescribeModel</c>).</summary>
    public ModelDescription Describe()
    {
        var description = new ModelDescription
        {
            Version = Version,
            Hyperparameters = HyperparameterWire.ToProto(_hyperparameters),
            EnvironmentId = "InvertedPendulumSwingupBulletEnv-v0",
            ObservationSize = _hyperparameters.ObservationSize,
            ActionSize = _hyperparameters.ActionSize,
            ParameterCount = _weights.ElementCount,
            MaxStaleness = MaxStaleness,
            MaxReceiveMessageBytes = 4 * 1024 * 1024,
        };
        foreach (var parameter in _weights)
        {
            var spec = new ParameterSpec { Name = parameter.Name };
            spec.Shape.AddRange(parameter.Shape);
            description.Parameters.Add(spec);
        }

        return description;
    }

    /// <summary>The next push is refused with <paramref name="reason"/> (a <see cref="PushRefusal"/> reason).</summary>
    public void RefuseNextPush(string reason)
    {
        lock (_lock)
        {
            _refusals.Enqueue(reason);
        }
    }

    /// <summary>
    /// Training finishes with <paramref name="reason"/>: pushes are refused as finished, and the next
    /// <paramref name="statusPolls"/> status answers say so; the one after says training again (and pushes apply).
    /// </summary>
    public void FinishTraining(string reason, int statusPolls)
    {
        lock (_lock)
        {
            _finishedReason = reason;
            _finishedStatusPolls = statusPolls;
        }
    }

    /// <summary>Pushes wait (<see cref="PushArrived"/> completes) until <see cref="ReleasePushes"/> or their token is cancelled.</summary>
    public void HoldPushes()
    {
        lock (_lock)
        {
            _hold = NewSignal();
            _pushArrived = NewSignal();
        }
    }

    /// <summary>Lets held pushes go on and stops holding new ones.</summary>
    public void ReleasePushes()
    {
        TaskCompletionSource? hold;
        lock (_lock)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    public ValueTask<ModelDescription> DescribeAsync(CancellationToken cancellationToken)
    {
        Record("describe");
        return ValueTask.FromResult(Describe());
    }

    public ValueTask<PullParametersResponse> PullAsync(long knownVersion, TensorEncoding encoding, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _calls.Add($"pull {knownVersion}");
            _pulls.Add(knownVersion);
            if (knownVersion == _version)
            {
                return ValueTask.FromResult(new PullParametersResponse { NotModified = true, Version = _version });
            }

            return ValueTask.FromResult(new PullParametersResponse
            {
                Version = _version,
                Parameters = TensorWire.Encode(_weights, _version, encoding),
                ObservationStatistics = EncodedStatistics(),
            });
        }
    }

    public async ValueTask<PushGradientsResponse> PushAsync(PushGradientsRequest request, CancellationToken cancellationToken)
    {
        Task? hold;
        lock (_lock)
        {
            _pushes.Add(request);
            hold = _hold?.Task;
            if (hold is not null)
            {
                _pushArrived.TrySetResult();
            }
        }

        if (hold is not null)
        {
            try
            {
                await hold.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Record($"push {request.UpdateId} cancelled");
                throw new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."));
            }
        }

        lock (_lock)
        {
            var refusal = _finishedReason.Length > 0 ? PushRefusal.Finished : _refusals.TryDequeue(out var next) ? next : null;
            if (refusal is not null)
            {
                _calls.Add($"push {request.UpdateId} refused {refusal}");
                throw Refusal(refusal, request.BaseVersion);
            }

            _calls.Add($"push {request.UpdateId} applied");
            _applied.Add(request);
            var reply = new PushGradientsResponse { Version = _version, Staleness = _version - request.BaseVersion };
            if (request.ReturnParameters && RepliesWithWeights)
            {
                reply.Parameters = TensorWire.Encode(_weights, _version, request.ParametersEncoding);
                reply.ObservationStatistics = EncodedStatistics();
            }

            return reply;
        }
    }

    public ValueTask<TrainingStatusReply> GetStatusAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_finishedReason.Length > 0 && _finishedStatusPolls-- <= 0)
            {
                _finishedReason = string.Empty;
            }

            _calls.Add(_finishedReason.Length > 0 ? "status finished" : "status training");
            return ValueTask.FromResult(new TrainingStatusReply { Progress = new Progress { FinishedReason = _finishedReason } });
        }
    }

    private Contracts.V1.ObservationStatistics? EncodedStatistics() =>
        _observationStatistics is null ? null : StatisticsWire.ToProto(_observationStatistics);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the server throws for <paramref name="reason"/> (<c>ParameterStoreService</c>, with its messages).</summary>
    private RpcException Refusal(string reason, long baseVersion) => reason switch
    {
        PushRefusal.Finished => PushRefusal.Exception(reason, $"training finished: {_finishedReason}"),
        PushRefusal.TooStale => PushRefusal.Exception(
            reason,
            $"stale push: base version {baseVersion} is {_version - baseVersion} versions behind the current {_version} (at most {MaxStaleness} allowed); pull again"),
        PushRefusal.UnknownVersion => PushRefusal.Exception(
            reason,
            $"unknown version {baseVersion}: the current version is {_version} (the server may have restarted from a checkpoint); pull again"),
        PushRefusal.Unsafe => PushRefusal.UnsafeException(
            "the gradient's global L2 norm is 1e+06, beyond the server's bound of 1000 (ParameterServer:MaxPushGradientNorm); not applied"),
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a push refusal reason."),
    };

    private void Record(string call)
    {
        lock (_lock)
        {
            _calls.Add(call);
        }
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_lock)
        {
            return [.. list];
        }
    }
}

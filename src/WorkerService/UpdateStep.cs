using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Telemetry;
using Grpc.Core;

namespace A3cGrpc.WorkerService;

/// <summary>How one update (<see cref="UpdateStep.RunAsync"/>) ended.</summary>
internal enum UpdateOutcome
{
    /// <summary>The server applied the push (or had already applied it: a duplicate).</summary>
    Applied,

    /// <summary>The server refused the push (stale, unknown version, unsafe): the gradients are dropped, the next update pulls afresh.</summary>
    Refused,

    /// <summary>The server refused the push because training has finished; the next update pulls afresh.</summary>
    TrainingFinished,

    /// <summary>The simulator failed during the rollout: the update is abandoned, nothing pushed, the session broken.</summary>
    SimulatorFailed,
}

/// <summary>
/// One A3C update of a worker: start from the newest parameters, run up to n steps on the session's K lock-step
/// environments with the local copy, compute the seed's loss gradients, push them with the version they were computed
/// on. One round trip per update: each push asks for the weights of the version it produced in its reply
/// (<c>return_parameters</c>), and the next update starts from them; the worker pulls only for its first update, after
/// a refused push or an abandoned update, or when a server's reply carries no weights. Each update is one trace (<see cref="A3cTelemetry.UpdateSpan"/>
/// and its pull, rollout, backward and push children). It holds what the worker carries from update to update: the
/// local weights' version, the counts of updates and environment steps, the parameter and gradient buffers. Not
/// thread-safe.
/// </summary>
internal sealed partial class UpdateStep
{
    /// <summary>How long a shutdown lets a push already in flight finish before abandoning it.</summary>
    public static readonly TimeSpan DefaultPushGrace = TimeSpan.FromSeconds(5);

    private static readonly ActivitySource _source = new(A3cTelemetry.WorkerSourceName);

    private readonly string _workerId;
    private readonly GradientLearner _learner;
    private readonly ActorCriticPolicy _policy;
    private readonly A3cHyperparameters _hyperparameters;
    private readonly IParameterServer _server;
    private readonly WorkerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _pushGrace;
    private readonly NamedTensors _parameters;
    private readonly NamedTensors _gradients;
    private bool _holdsReplyWeights;

    /// <param name="workerId">The worker's id (in pushes, spans and logs).</param>
    /// <param name="learner">The local network, which pulls import into and gradients come from.</param>
    /// <param name="policy">Acts with <paramref name="learner"/>'s network.</param>
    /// <param name="rollout">The rollout buffers, sized for the sessions' environments.</param>
    /// <param name="server">The parameter server.</param>
    /// <param name="metrics">The worker's instruments.</param>
    /// <param name="logger">The worker's logger.</param>
    /// <param name="pushGrace">How long a shutdown lets a push in flight finish; null: <see cref="DefaultPushGrace"/>.</param>
    public UpdateStep(
        string workerId,
        GradientLearner learner,
        ActorCriticPolicy policy,
        Rollout rollout,
        IParameterServer server,
        WorkerMetrics metrics,
        ILogger logger,
        TimeSpan? pushGrace = null)
    {
        _workerId = workerId;
        _learner = learner;
        _policy = policy;
        _hyperparameters = learner.Hyperparameters;
        Rollout = rollout;
        _server = server;
        _metrics = metrics;
        _logger = logger;
        _pushGrace = pushGrace ?? DefaultPushGrace;
        _parameters = learner.CreateGradientBuffers();
        _gradients = learner.CreateGradientBuffers();
    }

    /// <summary>This step's part of every update id (<c>{worker id}-{incarnation}-{update number}</c>), new for each step.</summary>
    public string Incarnation { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>The rollout buffers (their running episodes start anew with each session: <see cref="Rollout.ResetEpisodes"/>).</summary>
    public Rollout Rollout { get; }

    /// <summary>The version of the local weights; 0 before the first pull and after a refused push (pull afresh).</summary>
    public long Version { get; private set; }

    /// <summary>Updates pushed so far, refused ones included (an update abandoned by a failed simulator does not count).</summary>
    public long Updates { get; private set; }

    /// <summary>Environment steps of the updates computed so far.</summary>
    public long EnvironmentSteps { get; private set; }

    /// <summary>Runs one update on <paramref name="session"/>.</summary>
    /// <param name="session">An open session with the rollout's environments.</param>
    /// <param name="stoppingToken">Stops the update; a push in flight gets the push grace to finish first.</param>
    public async Task<UpdateOutcome> RunAsync(IEnvironmentSession session, CancellationToken stoppingToken)
    {
        var number = Updates + 1;
        Activity.Current = null;
        using var update = _source.StartActivity(A3cTelemetry.UpdateSpan, ActivityKind.Internal);
        update?.SetTag(A3cTelemetry.Attributes.WorkerId, _workerId)
            .SetTag(A3cTelemetry.Attributes.UpdateNumber, number)
            .SetTag(A3cTelemetry.Attributes.NSteps, _hyperparameters.NSteps)
            .SetTag(A3cTelemetry.Attributes.Environments, Rollout.Environments);

        // The last push's reply carried the weights of the version it produced, as fresh as a pull sent at that moment.
        var pulls = !_holdsReplyWeights;
        if (pulls)
        {
            await PullAsync(stoppingToken);
        }

        _holdsReplyWeights = false;
        update?.SetTag(A3cTelemetry.Attributes.Pulled, pulls);
        update?.SetTag(A3cTelemetry.Attributes.BaseVersion, Version);

        if (!await RolloutAsync(session, stoppingToken))
        {
            update?.SetStatus(ActivityStatusCode.Error, "simulator failed; update abandoned");
            return UpdateOutcome.SimulatorFailed;
        }

        update?.SetTag(A3cTelemetry.Attributes.RewardSum, Rollout.RewardSum);
        LossStatistics loss;
        var windows = Rollout.ToWindows();
        using (_source.StartActivity(A3cTelemetry.BackwardSpan))
        {
            loss = _learner.ComputeGradientsInto(windows, _gradients);
        }

        var environmentSteps = (long)Rollout.Steps * Rollout.Environments;
        _metrics.EnvironmentSteps.Add(environmentSteps, _metrics.Tag);
        EnvironmentSteps += environmentSteps;
        foreach (var episodeReturn in Rollout.FinishedEpisodes)
        {
            _metrics.EpisodeReturn.Record(episodeReturn, _metrics.Tag);
        }

        var request = new PushGradientsRequest
        {
            WorkerId = _workerId,
            UpdateId = $"{_workerId}-{Incarnation}-{number}",
            BaseVersion = Version,
            Gradients = TensorWire.Encode(_gradients, Version),
            ReturnParameters = true,
            ParametersEncoding = TensorEncoding.Float32,
            Statistics = new RolloutStatistics
            {
                EnvironmentSteps = environmentSteps,
                Environments = Rollout.Environments,
                RewardSum = Rollout.RewardSum,
                TotalLoss = loss.TotalLoss,
                EntropyMean = loss.EntropyMean,
                ValueMean = loss.ValueMean,
            },
        };
        request.Statistics.EpisodeReturns.AddRange(Rollout.FinishedEpisodes);
        if (_hyperparameters.NormalizeObservations)
        {
            // What this update learned from joins the global normalisation statistics with its gradient's step.
            request.Observed = StatisticsWire.ToProto(Rollout.StatisticsOf(windows));
        }

        Updates = number;
        var outcome = await PushAsync(request, update, stoppingToken);
        if (outcome != UpdateOutcome.Applied)
        {
            // The server may have restarted from an older checkpoint and reused version numbers: pull afresh.
            Version = 0;
        }

        return outcome;
    }

    private async Task PullAsync(CancellationToken stoppingToken)
    {
        using var pull = _source.StartActivity(A3cTelemetry.PullSpan);
        var started = Stopwatch.GetTimestamp();
        var reply = await _server.PullAsync(Version, TensorEncoding.Float32, stoppingToken);
        _metrics.PullDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _metrics.Tag);
        pull?.SetTag("a3c.not_modified", reply.NotModified);
        if (!reply.NotModified)
        {
            Adopt(reply.Version, reply.Parameters, reply.ObservationStatistics);
        }

        pull?.SetTag(A3cTelemetry.Attributes.BaseVersion, Version);
    }

    /// <summary>Makes <paramref name="parameters"/> (and the observation statistics of that version) the local weights.</summary>
    private void Adopt(long version, TensorSet parameters, Contracts.V1.ObservationStatistics? observationStatistics)
    {
        TensorWire.DecodeInto(parameters, _parameters, "parameters");
        _learner.ImportParameters(_parameters);
        if (_hyperparameters.NormalizeObservations)
        {
            _learner.Model.SetObservationStatistics(
                StatisticsWire.FromProto(observationStatistics, _hyperparameters.ObservationSize, "observation_statistics"));
        }

        Version = version;
    }

    /// <summary>Runs up to n steps; false when the simulator failed (the rollout is abandoned).</summary>
    private async Task<bool> RolloutAsync(IEnvironmentSession session, CancellationToken stoppingToken)
    {
        using var span = _source.StartActivity(A3cTelemetry.RolloutSpan);
        try
        {
            Rollout.Begin(session);
            var episodeEnded = false;
            while (!Rollout.IsFull && !episodeEnded)
            {
                _policy.Act(Rollout.States, Rollout.Actions, Rollout.Mu, Rollout.Std, Rollout.Values);
                var last = Rollout.Steps == Rollout.Capacity - 1;
                await session.StepAsync(Rollout.Actions, span?.Context ?? default, last, stoppingToken);
                episodeEnded = Rollout.Record(session);
            }

            span?.SetTag(A3cTelemetry.Attributes.EnvironmentSteps, (long)Rollout.Steps * Rollout.Environments)
                .SetTag(A3cTelemetry.Attributes.RewardSum, Rollout.RewardSum);
            return true;
        }
        catch (RpcException exception) when (!stoppingToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, exception.Status.Detail);
            LogSimulatorFailed(exception, _workerId);
            return false;
        }
    }

    private async Task<UpdateOutcome> PushAsync(PushGradientsRequest request, Activity? update, CancellationToken stoppingToken)
    {
        using var push = _source.StartActivity(A3cTelemetry.PushSpan);
        push?.SetTag(A3cTelemetry.Attributes.UpdateId, request.UpdateId);

        // A shutdown lets an update already being pushed finish for a few seconds before abandoning it.
        using var grace = new CancellationTokenSource();
        await using var onStop = stoppingToken.Register(() => grace.CancelAfter(_pushGrace));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await _server.PushAsync(request, grace.Token);
            _metrics.PushDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _metrics.Tag);
            _metrics.Updates.Add(1, _metrics.Tag);
            _metrics.Staleness.Record(reply.Staleness, _metrics.Tag);
            push?.SetTag(A3cTelemetry.Attributes.NewVersion, reply.Version).SetTag(A3cTelemetry.Attributes.Duplicate, reply.Duplicate);
            update?.SetTag(A3cTelemetry.Attributes.Staleness, reply.Staleness).SetTag(A3cTelemetry.Attributes.NewVersion, reply.Version);
            if (reply.Parameters is { Version: > 0 })
            {
                Adopt(reply.Parameters.Version, reply.Parameters, reply.ObservationStatistics);
                _holdsReplyWeights = true;
            }

            return UpdateOutcome.Applied;
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.FailedPrecondition || PushRefusal.ReasonOf(exception) == PushRefusal.Unsafe)
        {
            // Stale, computed on a version this server never produced (it restarted from a checkpoint), training has
            // finished, or unsafe (a gradient the server would not apply): the gradients are dropped and the next
            // update pulls afresh.
            push?.SetStatus(ActivityStatusCode.Error, exception.Status.Detail);
            update?.SetStatus(ActivityStatusCode.Error, "push refused");
            LogPushRefused(_workerId, request.UpdateId, exception.Status.Detail);
            return PushRefusal.ReasonOf(exception) == PushRefusal.Finished ? UpdateOutcome.TrainingFinished : UpdateOutcome.Refused;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: the simulator failed; replacing it and abandoning this update")]
    private partial void LogSimulatorFailed(Exception exception, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId}: push {UpdateId} refused: {Reason}")]
    private partial void LogPushRefused(string workerId, string updateId, string reason);
}

using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace A3cGrpc.WorkerService;

/// <summary>
/// The A3C worker loop: pull the newest parameters, run n steps on K lock-step environments of the worker's own
/// simulator with the local copy, compute the seed's loss gradients, push them with the version they were computed
/// on, repeat. Each update is one trace (<see cref="A3cTelemetry.UpdateSpan"/> and its children). A simulator that
/// fails is replaced and the update abandoned; a refused push (stale, unknown version) is dropped and the worker
/// re-pulls; when the server has finished training the worker waits for it to train again.
/// </summary>
internal sealed partial class A3cWorker(
    IOptions<WorkerOptions> options,
    ParameterServerClient server,
    SimulatorConnection simulator,
    WorkerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<A3cWorker> logger) : BackgroundService
{
    private static readonly ActivitySource _source = new(A3cTelemetry.WorkerSourceName);
    private static readonly TimeSpan _pushGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan _finishedPollInterval = TimeSpan.FromSeconds(5);

    private readonly WorkerOptions _options = options.Value;
    private readonly string _workerId = options.Value.EffectiveWorkerId;
    private readonly string _incarnation = Guid.NewGuid().ToString("N")[..8];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (Exception exception) when (stoppingToken.IsCancellationRequested
                                          && exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopping: a call in flight ends as a cancelled call (a gRPC call cancelled by its token throws
            // RpcException Cancelled, not OperationCanceledException). Found by the chaos test.
            LogStopped(_workerId);
        }
        catch (Exception exception)
        {
            LogFailed(exception, _workerId);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var description = await server.DescribeAsync(stoppingToken);
        var hyperparameters = HyperparameterWire.FromDescription(description);
        using var learner = new GradientLearner(hyperparameters, _options.EffectiveSeed);
        using var policy = new ActorCriticPolicy(learner.Model, _options.EffectiveSeed);
        var environments = _options.Environments ?? hyperparameters.EnvironmentsPerLearner(distributed: true);
        var state = new WorkerState(learner, hyperparameters, new Rollout(hyperparameters, environments));
        LogStarting(_workerId, description.Version, hyperparameters.Preset, hyperparameters.NSteps, environments);

        SimulatorSession? session = null;
        try
        {
            var lastLog = Stopwatch.StartNew();
            while (!stoppingToken.IsCancellationRequested && (_options.MaxUpdates == 0 || state.Updates < _options.MaxUpdates))
            {
                if (session is null)
                {
                    session = await simulator.OpenSessionAsync(state.Rollout.Environments, state.Rollout.StaggersEpisodes, stoppingToken);
                    state.Rollout.ResetEpisodes();
                }

                var outcome = await RunUpdateAsync(state, policy, session, stoppingToken);
                if (outcome == UpdateOutcome.SimulatorFailed)
                {
                    await session.DisposeAsync();
                    session = null;
                    await simulator.ResetAfterFailureAsync();
                }
                else if (outcome == UpdateOutcome.TrainingFinished)
                {
                    await WaitWhileFinishedAsync(stoppingToken);
                }

                if (lastLog.Elapsed > TimeSpan.FromSeconds(10))
                {
                    LogProgress(_workerId, state.Updates, state.Version, state.EnvironmentSteps);
                    lastLog.Restart();
                }
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            LogDone(_workerId, state.Updates);
            lifetime.StopApplication();
        }
    }

    private async Task<UpdateOutcome> RunUpdateAsync(WorkerState state, ActorCriticPolicy policy, SimulatorSession session, CancellationToken stoppingToken)
    {
        var number = state.Updates + 1;
        Activity.Current = null;
        using var update = _source.StartActivity(A3cTelemetry.UpdateSpan, ActivityKind.Internal);
        update?.SetTag(A3cTelemetry.Attributes.WorkerId, _workerId)
            .SetTag(A3cTelemetry.Attributes.UpdateNumber, number)
            .SetTag(A3cTelemetry.Attributes.NSteps, state.Hyperparameters.NSteps)
            .SetTag(A3cTelemetry.Attributes.Environments, state.Rollout.Environments);

        await PullAsync(state, stoppingToken);
        update?.SetTag(A3cTelemetry.Attributes.BaseVersion, state.Version);

        if (!await RolloutAsync(state.Rollout, policy, session, stoppingToken))
        {
            update?.SetStatus(ActivityStatusCode.Error, "simulator failed; update abandoned");
            return UpdateOutcome.SimulatorFailed;
        }

        update?.SetTag(A3cTelemetry.Attributes.RewardSum, state.Rollout.RewardSum);
        LossStatistics loss;
        var windows = state.Rollout.ToWindows();
        using (_source.StartActivity(A3cTelemetry.BackwardSpan))
        {
            loss = state.Learner.ComputeGradientsInto(windows, state.Gradients);
        }

        var environmentSteps = (long)state.Rollout.Steps * state.Rollout.Environments;
        metrics.EnvironmentSteps.Add(environmentSteps, metrics.Tag);
        state.EnvironmentSteps += environmentSteps;
        foreach (var episodeReturn in state.Rollout.FinishedEpisodes)
        {
            metrics.EpisodeReturn.Record(episodeReturn, metrics.Tag);
        }

        var request = new PushGradientsRequest
        {
            WorkerId = _workerId,
            UpdateId = $"{_workerId}-{_incarnation}-{number}",
            BaseVersion = state.Version,
            Gradients = TensorWire.Encode(state.Gradients, state.Version),
            Statistics = new RolloutStatistics
            {
                EnvironmentSteps = environmentSteps,
                Environments = state.Rollout.Environments,
                RewardSum = state.Rollout.RewardSum,
                TotalLoss = loss.TotalLoss,
                EntropyMean = loss.EntropyMean,
                ValueMean = loss.ValueMean,
            },
        };
        request.Statistics.EpisodeReturns.AddRange(state.Rollout.FinishedEpisodes);
        if (state.Hyperparameters.NormalizeObservations)
        {
            // What this update learned from joins the global normalisation statistics with its gradient's step.
            request.Observed = StatisticsWire.ToProto(Rollout.StatisticsOf(windows));
        }

        state.Updates = number;
        var outcome = await PushAsync(request, update, stoppingToken);
        if (outcome != UpdateOutcome.Applied)
        {
            // The server may have restarted from an older checkpoint and reused version numbers: pull afresh.
            state.Version = 0;
        }

        return outcome;
    }

    private async Task PullAsync(WorkerState state, CancellationToken stoppingToken)
    {
        using var pull = _source.StartActivity(A3cTelemetry.PullSpan);
        var started = Stopwatch.GetTimestamp();
        var reply = await server.PullAsync(state.Version, TensorEncoding.Float32, stoppingToken);
        metrics.PullDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, metrics.Tag);
        pull?.SetTag("a3c.not_modified", reply.NotModified);
        if (!reply.NotModified)
        {
            TensorWire.DecodeInto(reply.Parameters, state.Parameters, "parameters");
            state.Learner.ImportParameters(state.Parameters);
            if (state.Hyperparameters.NormalizeObservations)
            {
                state.Learner.Model.SetObservationStatistics(
                    StatisticsWire.FromProto(reply.ObservationStatistics, state.Hyperparameters.ObservationSize, "observation_statistics"));
            }

            state.Version = reply.Version;
        }

        pull?.SetTag(A3cTelemetry.Attributes.BaseVersion, state.Version);
    }

    /// <summary>Runs up to n steps; false when the simulator failed (the rollout is abandoned).</summary>
    private async Task<bool> RolloutAsync(Rollout rollout, ActorCriticPolicy policy, SimulatorSession session, CancellationToken stoppingToken)
    {
        using var span = _source.StartActivity(A3cTelemetry.RolloutSpan);
        try
        {
            rollout.Begin(session);
            var episodeEnded = false;
            while (!rollout.IsFull && !episodeEnded)
            {
                policy.Act(rollout.States, rollout.Actions, rollout.Mu, rollout.Std, rollout.Values);
                var last = rollout.Steps == rollout.Capacity - 1;
                await session.StepAsync(rollout.Actions, span?.Context ?? default, last, stoppingToken);
                episodeEnded = rollout.Record(session);
            }

            span?.SetTag(A3cTelemetry.Attributes.EnvironmentSteps, (long)rollout.Steps * rollout.Environments)
                .SetTag(A3cTelemetry.Attributes.RewardSum, rollout.RewardSum);
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
            var reply = await server.PushAsync(request, grace.Token);
            metrics.PushDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, metrics.Tag);
            metrics.Updates.Add(1, metrics.Tag);
            metrics.Staleness.Record(reply.Staleness, metrics.Tag);
            push?.SetTag(A3cTelemetry.Attributes.NewVersion, reply.Version).SetTag(A3cTelemetry.Attributes.Duplicate, reply.Duplicate);
            update?.SetTag(A3cTelemetry.Attributes.Staleness, reply.Staleness).SetTag(A3cTelemetry.Attributes.NewVersion, reply.Version);
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

    private async Task WaitWhileFinishedAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var status = await server.GetStatusAsync(stoppingToken);
            if (string.IsNullOrEmpty(status.Progress?.FinishedReason))
            {
                return;
            }

            await Task.Delay(_finishedPollInterval, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} starts at model version {Version}: preset {Preset}, n = {NSteps}, {Environments} environments")]
    private partial void LogStarting(string workerId, long version, string preset, int nSteps, int environments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId}: {Updates} updates, model version {Version}, {Steps} environment steps")]
    private partial void LogProgress(string workerId, long updates, long version, long steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: the simulator failed; replacing it and abandoning this update")]
    private partial void LogSimulatorFailed(Exception exception, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId}: push {UpdateId} refused: {Reason}")]
    private partial void LogPushRefused(string workerId, string updateId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped")]
    private partial void LogStopped(string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} finished its {Updates} updates")]
    private partial void LogDone(string workerId, long updates);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Worker {WorkerId} failed")]
    private partial void LogFailed(Exception exception, string workerId);

    private enum UpdateOutcome
    {
        Applied,
        Refused,
        TrainingFinished,
        SimulatorFailed,
    }

    /// <summary>What the loop carries from update to update.</summary>
    private sealed class WorkerState(GradientLearner learner, A3cHyperparameters hyperparameters, Rollout rollout)
    {
        public GradientLearner Learner { get; } = learner;

        public A3cHyperparameters Hyperparameters { get; } = hyperparameters;

        public Rollout Rollout { get; } = rollout;

        public NamedTensors Parameters { get; } = learner.CreateGradientBuffers();

        public NamedTensors Gradients { get; } = learner.CreateGradientBuffers();

        /// <summary>The version of the local weights; 0 before the first pull.</summary>
        public long Version { get; set; }

        public long Updates { get; set; }

        public long EnvironmentSteps { get; set; }
    }
}

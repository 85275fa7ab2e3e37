using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Monitoring;
using A3cGrpc.ParameterServer.Runs;
using A3cGrpc.ParameterServer.Telemetry;
using A3cGrpc.ServiceDefaults.Telemetry;
using A3cGrpc.Simulation;
using Grpc.Core;
using static A3cGrpc.ParameterServer.Services.RequestChecks;
using ObservationStatistics = A3cGrpc.Learning.ObservationStatistics;

namespace A3cGrpc.ParameterServer.Services;

/// <summary>
/// parameter_store.proto: the model's description, pulls of the current weights, and gradient pushes (each one step
/// of the shared Adam, at most once per update id). Input is checked, and gradients decoded into per-request buffers,
/// before the training lock is taken; nothing is applied when a push is refused.
/// </summary>
public sealed partial class ParameterStoreService(
    GlobalModel model, RunSetup setup, TrainingMonitor monitor, ServerMetrics metrics, ILogger<ParameterStoreService> logger)
    : ParameterStore.ParameterStoreBase
{
    /// <summary>The longest worker or update id.</summary>
    public const int MaxIdLength = 200;

    /// <inheritdoc />
    public override Task<ModelDescription> DescribeModel(DescribeModelRequest request, ServerCallContext context)
    {
        RequireReader(context, setup.Server, "DescribeModel");
        var hyper = model.Hyperparameters;
        var description = new ModelDescription
        {
            Version = model.Version,
            Hyperparameters = HyperparameterWire.ToProto(hyper),
            EnvironmentId = SwingUpConstants.EnvironmentId,
            ObservationSize = hyper.ObservationSize,
            ActionSize = hyper.ActionSize,
            ParameterCount = model.Layout.ParameterCount,
            MaxStaleness = setup.Server.MaxStaleness,
            MaxReceiveMessageBytes = model.Layout.MaxReceiveMessageBytes,
        };
        foreach (var parameter in model.Layout.Parameters)
        {
            var spec = new ParameterSpec { Name = parameter.Name };
            spec.Shape.AddRange(parameter.Shape);
            description.Parameters.Add(spec);
        }

        return Task.FromResult(description);
    }

    /// <inheritdoc />
    public override Task<PullParametersResponse> PullParameters(PullParametersRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireReader(context, setup.Server, "PullParameters");
        RequireNonNegative(request.KnownVersion, "known_version");
        RequireEncoding(request.Encoding, "encoding");

        var current = model.Version;
        if (request.KnownVersion == current)
        {
            return Task.FromResult(new PullParametersResponse { NotModified = true, Version = current });
        }

        // A known version above the current one (the server resumed an older checkpoint) gets the current weights too.
        var weights = model.CurrentWeights();
        if (request.KnownVersion == weights.Version)
        {
            return Task.FromResult(new PullParametersResponse { NotModified = true, Version = weights.Version });
        }

        return Task.FromResult(new PullParametersResponse
        {
            Version = weights.Version,
            Parameters = weights.Encoded(request.Encoding),
            ObservationStatistics = weights.EncodedStatistics,
        });
    }

    /// <inheritdoc />
    public override Task<PushGradientsResponse> PushGradients(PushGradientsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireBearer(context, setup.Server.PushToken, "PushGradients");

        using var activity = ServerTracing.Source.StartActivity(A3cTelemetry.ApplyGradientsSpan);
        activity?.SetTag(A3cTelemetry.Attributes.WorkerId, request.WorkerId);
        activity?.SetTag(A3cTelemetry.Attributes.UpdateId, request.UpdateId);
        activity?.SetTag(A3cTelemetry.Attributes.BaseVersion, request.BaseVersion);
        try
        {
            return Task.FromResult(Push(request, activity));
        }
        catch (RpcException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Status.Detail);
            LogRefused(logger, request.WorkerId, request.UpdateId, exception.StatusCode, exception.Status.Detail);
            throw;
        }
    }

    private PushGradientsResponse Push(PushGradientsRequest request, Activity? activity)
    {
        var statistics = request.Statistics ?? new RolloutStatistics();
        Validate(request, statistics);
        activity?.SetTag(A3cTelemetry.Attributes.EnvironmentSteps, statistics.EnvironmentSteps);
        activity?.SetTag(A3cTelemetry.Attributes.Environments, statistics.Environments);
        activity?.SetTag(A3cTelemetry.Attributes.RewardSum, statistics.RewardSum);

        var gradients = model.Layout.RentBuffers();
        PushOutcome outcome;
        try
        {
            try
            {
                TensorWire.DecodeInto(request.Gradients, gradients, "gradients");
            }
            catch (WireFormatException exception)
            {
                throw Invalid(exception.Message);
            }

            var command = new PushCommand(
                request.WorkerId, request.UpdateId, request.BaseVersion, gradients, statistics.EnvironmentSteps, statistics.EpisodeReturns,
                request.ReturnParameters, Observed(request, statistics));
            activity?.SetTag(A3cTelemetry.Attributes.GradientNorm, command.GradientNorm);
            outcome = model.Push(command);
        }
        finally
        {
            model.Layout.Return(gradients);
        }

        activity?.SetTag(A3cTelemetry.Attributes.NewVersion, outcome.Version);
        activity?.SetTag(A3cTelemetry.Attributes.Staleness, outcome.Staleness);
        activity?.SetTag(A3cTelemetry.Attributes.Duplicate, outcome.Result == PushResult.Duplicate);
        switch (outcome.Result)
        {
            case PushResult.Applied:
                monitor.RecordApplied(request.WorkerId, statistics.EnvironmentSteps, outcome.Staleness, outcome.Totals);
                metrics.PushApplied(statistics.EnvironmentSteps, outcome.Staleness, statistics.EpisodeReturns);
                break;
            case PushResult.Duplicate:
                LogDuplicate(logger, request.WorkerId, request.UpdateId, outcome.Version);
                break;
            case PushResult.ShuttingDown:
                throw new RpcException(new Status(StatusCode.Unavailable, outcome.Message!));
            case PushResult.Finished:
                throw PushRefusal.Exception(PushRefusal.Finished, outcome.Message!);
            case PushResult.TooStale:
                throw PushRefusal.Exception(PushRefusal.TooStale, outcome.Message!);
            case PushResult.UnknownVersion:
                throw PushRefusal.Exception(PushRefusal.UnknownVersion, outcome.Message!);
            case PushResult.Unsafe:
                throw PushRefusal.UnsafeException(outcome.Message!);
            case PushResult.CounterOverflow:
                throw new RpcException(new Status(StatusCode.OutOfRange, outcome.Message!));
            default:
                throw new InvalidOperationException($"Unhandled push result {outcome.Result}.");
        }

        var response = new PushGradientsResponse
        {
            Version = outcome.Version,
            Staleness = outcome.Staleness,
            Duplicate = outcome.Result == PushResult.Duplicate,
        };
        if (request.ReturnParameters)
        {
            var weights = outcome.Weights ?? model.CurrentWeights();
            response.Parameters = weights.Encoded(request.ParametersEncoding);
            response.ObservationStatistics = weights.EncodedStatistics;
        }

        return response;
    }

    /// <summary>The push's observation statistics: required (and checked) when the model normalises observations, refused otherwise.</summary>
    private ObservationStatistics? Observed(PushGradientsRequest request, RolloutStatistics statistics)
    {
        var hyper = model.Hyperparameters;
        if (!hyper.NormalizeObservations)
        {
            return request.Observed is null
                ? null
                : throw Invalid("observed must be empty: this model does not normalise observations.");
        }

        ObservationStatistics observed;
        try
        {
            observed = StatisticsWire.FromProto(request.Observed, hyper.ObservationSize, "observed");
        }
        catch (WireFormatException exception)
        {
            throw Invalid(exception.Message);
        }

        if (observed.Count < 1 || observed.Count > statistics.EnvironmentSteps)
        {
            throw Invalid(
                $"observed counts {observed.Count} observations; an update learns from between 1 and its statistics.environment_steps ({statistics.EnvironmentSteps}).");
        }

        const double maxAbs = SwingUpConstants.MaxAbsObservation;
        for (var i = 0; i < observed.Size; i++)
        {
            if (Math.Abs(observed.Mean[i]) > maxAbs || observed.Variance(i) > maxAbs * maxAbs)
            {
                throw Invalid(
                    $"observed dimension {i} has mean {observed.Mean[i]} and variance {observed.Variance(i)}; observations accepted are within +-{maxAbs:G}.");
            }
        }

        return observed;
    }

    private void Validate(PushGradientsRequest request, RolloutStatistics statistics)
    {
        RequireId(request.WorkerId, "worker_id", MaxIdLength);
        RequireId(request.UpdateId, "update_id", MaxIdLength);
        if (request.BaseVersion < 1)
        {
            throw Invalid($"base_version must be a version from a pull (1 or more), got {request.BaseVersion}.");
        }

        if (request.ReturnParameters)
        {
            RequireEncoding(request.ParametersEncoding, "parameters_encoding");
        }

        RequireRolloutStatistics(statistics, model.Hyperparameters.NSteps);
    }

    /// <summary>
    /// The statistics must be what one update can contain: at most <see cref="A3cHyperparameters.MaxEnvironments"/>
    /// environments, at most environments x n steps, at most one finished episode per step, each episode's return and
    /// the reward sum within what the task's rewards allow (|reward| at most 1 a step, episodes of at most 1000 steps).
    /// So no push can move the run's counters by more than one update's worth, and no counter can overflow.
    /// </summary>
    private static void RequireRolloutStatistics(RolloutStatistics statistics, int nSteps)
    {
        RequireNonNegative(statistics.EnvironmentSteps, "statistics.environment_steps");
        RequireNonNegative(statistics.Environments, "statistics.environments");
        if (statistics.Environments > A3cHyperparameters.MaxEnvironments)
        {
            throw Invalid($"statistics.environments must be at most {A3cHyperparameters.MaxEnvironments}, got {statistics.Environments}.");
        }

        var maxSteps = (long)statistics.Environments * nSteps;
        if (statistics.EnvironmentSteps > maxSteps)
        {
            throw Invalid(
                $"statistics.environment_steps is {statistics.EnvironmentSteps}; one update of {statistics.Environments} environments x n = {nSteps} steps holds at most {maxSteps}.");
        }

        RequireFinite(statistics.RewardSum, "statistics.reward_sum");
        var maxRewardSum = (statistics.EnvironmentSteps * SwingUpConstants.MaxAbsReward) + 1e-6;
        if (Math.Abs(statistics.RewardSum) > maxRewardSum)
        {
            throw Invalid(
                $"statistics.reward_sum is {statistics.RewardSum}; {statistics.EnvironmentSteps} steps with rewards in [-1, 1] sum to at most {maxRewardSum - 1e-6} in magnitude.");
        }

        RequireFinite(statistics.TotalLoss, "statistics.total_loss");
        RequireFinite(statistics.EntropyMean, "statistics.entropy_mean");
        RequireFinite(statistics.ValueMean, "statistics.value_mean");
        if (statistics.EpisodeReturns.Count > statistics.EnvironmentSteps)
        {
            throw Invalid(
                $"statistics report {statistics.EpisodeReturns.Count} finished episodes in {statistics.EnvironmentSteps} environment steps; an episode takes at least one step.");
        }

        const double maxReturn = SwingUpConstants.MaxEpisodeSteps * SwingUpConstants.MaxAbsReward;
        for (var i = 0; i < statistics.EpisodeReturns.Count; i++)
        {
            var value = statistics.EpisodeReturns[i];
            RequireFinite(value, $"statistics.episode_returns[{i}]");
            if (Math.Abs(value) > maxReturn + 1e-6)
            {
                throw Invalid(
                    $"statistics.episode_returns[{i}] is {value}; an episode of at most {SwingUpConstants.MaxEpisodeSteps} steps with rewards in [-1, 1] returns at most {maxReturn} in magnitude.");
            }
        }
    }

    private static void RequireEncoding(TensorEncoding encoding, string field)
    {
        if (encoding is not (TensorEncoding.Float32 or TensorEncoding.Float16))
        {
            throw Invalid($"{field} {(int)encoding} is not a known tensor encoding (0 = float32, 1 = float16).");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Push {UpdateId} of {WorkerId} refused ({Code}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string workerId, string updateId, StatusCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Push {UpdateId} of {WorkerId} is a retry of version {Version}; not applied again")]
    private static partial void LogDuplicate(ILogger logger, string workerId, string updateId, long version);
}

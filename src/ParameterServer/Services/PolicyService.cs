using System.Buffers;
using System.Numerics.Tensors;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Acting;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Runs;
using A3cGrpc.Simulation;
using Google.Protobuf.Collections;
using Grpc.Core;
using static A3cGrpc.ParameterServer.Services.RequestChecks;

namespace A3cGrpc.ParameterServer.Services;

/// <summary>
/// policy.proto: actions of the trained policy for any client, from the live weights (a copy refreshed at most every
/// 50 ms) or from a pinned version kept as a snapshot, through the lock-free <see cref="ServingNetwork"/>.
/// Deterministic requests get the mean action mu; others a sample of N(mu, sigma); the action is clipped to the
/// action space, mu and sigma are not.
/// </summary>
public sealed class PolicyService(
    LivePolicy live, PinnedPolicies pinned, PolicySnapshots snapshots, BestPolicyKeeper best, GlobalModel model, RunSetup setup) : Policy.PolicyBase
{
    /// <summary>The snapshot name of the best-evaluated policy.</summary>
    public const string BestSnapshot = "best";

    /// <summary>The most observations one <c>ActBatch</c> takes.</summary>
    public const int MaxBatch = 4096;

    private readonly int _observationSize = model.Hyperparameters.ObservationSize;
    private readonly int _actionSize = model.Hyperparameters.ActionSize;
    private readonly double _actionLow = model.Hyperparameters.ActionLow;
    private readonly double _actionHigh = model.Hyperparameters.ActionHigh;

    /// <inheritdoc />
    public override Task<ActResponse> Act(ActRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        Authorize(context);
        if (request.Observation.Count != _observationSize)
        {
            throw Invalid($"observation must hold {_observationSize} values (x, vx, cos theta, sin theta, theta dot), got {request.Observation.Count}.");
        }

        RequireNonNegative(request.ModelVersion, "model_version");
        Span<float> observation = stackalloc float[_observationSize];
        Copy(request.Observation, observation, "observation");
        Span<float> outputs = stackalloc float[(3 * _actionSize) + 1];
        var actions = outputs[.._actionSize];
        var mu = outputs.Slice(_actionSize, _actionSize);
        var std = outputs.Slice(2 * _actionSize, _actionSize);
        var value = outputs[^1..];
        var version = Serve(request.ModelVersion, request.Snapshot, observation, actions, mu, std, value, request.Deterministic);
        var response = new ActResponse { Value = value[0], ModelVersion = version };
        for (var i = 0; i < _actionSize; i++)
        {
            response.Action.Add(Clip(actions[i]));
            response.Mu.Add(mu[i]);
            response.Sigma.Add(std[i]);
        }

        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override Task<ActBatchResponse> ActBatch(ActBatchRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        Authorize(context);
        if (request.Count is < 1 or > MaxBatch)
        {
            throw Invalid($"count must be between 1 and {MaxBatch}, got {request.Count}.");
        }

        if (request.Observations.Count != request.Count * _observationSize)
        {
            throw Invalid(
                $"observations must hold count x {_observationSize} = {request.Count * _observationSize} values, got {request.Observations.Count}.");
        }

        RequireNonNegative(request.ModelVersion, "model_version");
        var count = request.Count;
        var observations = ArrayPool<float>.Shared.Rent(count * _observationSize);
        try
        {
            Copy(request.Observations, observations.AsSpan(0, count * _observationSize), "observations");
            var width = count * _actionSize;
            var actions = new float[width];
            var mu = new float[width];
            var std = new float[width];
            var values = new float[count];
            var version = Serve(
                request.ModelVersion, request.Snapshot, observations.AsSpan(0, count * _observationSize), actions, mu, std, values, request.Deterministic);
            for (var i = 0; i < width; i++)
            {
                actions[i] = Clip(actions[i]);
            }

            var response = new ActBatchResponse { Count = count, ActionSize = _actionSize, ModelVersion = version };
            response.Actions.AddRange(actions);
            response.Mu.AddRange(mu);
            response.Sigma.AddRange(std);
            response.Values.AddRange(values);
            return Task.FromResult(response);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(observations);
        }
    }

    /// <inheritdoc />
    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context)
    {
        Authorize(context);
        var response = new ListModelVersionsResponse { LiveVersion = model.Version, BestVersion = best.Current?.ModelVersion ?? 0 };
        response.PinnableVersions.AddRange(snapshots.Versions);
        return Task.FromResult(response);
    }

    private void Authorize(ServerCallContext context)
    {
        if (!string.IsNullOrEmpty(setup.Server.PolicyToken))
        {
            RequireBearer(context, setup.Server.PolicyToken, "The policy service");
        }
    }

    /// <summary>
    /// Acts with the best policy for snapshot "best", the live network for version 0, the network of a kept snapshot or
    /// the live one for a version number, and FAILED_PRECONDITION for any other version (or no best yet).
    /// Deterministic: the action is mu; otherwise mu + sigma * N(0, 1).
    /// </summary>
    private long Serve(
        long version,
        string snapshot,
        ReadOnlySpan<float> observations,
        Span<float> actions,
        Span<float> mu,
        Span<float> std,
        Span<float> values,
        bool deterministic)
    {
        ServingNetwork network;
        if (snapshot.Length > 0)
        {
            if (!string.Equals(snapshot, BestSnapshot, StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid($"snapshot '{snapshot}' is not known; the named snapshot is \"{BestSnapshot}\" (or leave it empty and pin model_version).");
            }

            if (version != 0)
            {
                throw Invalid("set either snapshot or model_version, not both.");
            }

            network = pinned.FindBest()
                ?? throw FailedPrecondition("there is no best policy yet: it is kept from the first evaluation on.");
        }
        else
        {
            network = version == 0 ? live.Current() : Pinned(version);
        }

        network.Forward(observations, mu, std, values);
        RequireFiniteOutputs(mu, std, values);
        if (deterministic)
        {
            mu.CopyTo(actions);
        }
        else
        {
            for (var i = 0; i < actions.Length; i++)
            {
                actions[i] = mu[i] + (std[i] * (float)StandardNormal());
            }
        }

        return network.Version;
    }

    private ServingNetwork Pinned(long version)
    {
        var network = live.Version == version ? live.At(version) : null;
        network ??= pinned.Find(version);
        network ??= version == model.Version ? live.At(version) : null;
        if (network is not null)
        {
            return network;
        }

        var pinnable = snapshots.Versions;
        throw FailedPrecondition(
            $"model version {version} is neither live (the live version is {model.Version}) nor a kept snapshot; pinnable versions: "
            + (pinnable.Count == 0 ? "none yet (snapshots are written with each checkpoint)" : string.Join(", ", pinnable)) + ".");
    }

    /// <summary>A draw from N(0, 1) (Box-Muller on the shared, thread-safe generator).</summary>
    private static double StandardNormal()
    {
        var u = 1.0 - Random.Shared.NextDouble(); // (0, 1]
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * Random.Shared.NextDouble());
    }

    private float Clip(float action) => (float)ActorCriticPolicy.ClipAction(action, _actionLow, _actionHigh);

    private static void Copy(RepeatedField<float> source, Span<float> destination, string field)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var value = source[i];
            if (!float.IsFinite(value))
            {
                throw Invalid($"{field}[{i}] is not a finite number ({value}).");
            }

            if (Math.Abs(value) > SwingUpConstants.MaxAbsObservation)
            {
                throw Invalid(
                    $"{field}[{i}] = {value} is outside the range the policy accepts (|value| <= {SwingUpConstants.MaxAbsObservation:G}; the simulator's observations stay far inside it).");
            }

            destination[i] = value;
        }
    }

    /// <summary>The network's outputs must be finite (they are for every accepted observation; this guards the promise, never OK with NaN).</summary>
    private static void RequireFiniteOutputs(ReadOnlySpan<float> mu, ReadOnlySpan<float> std, ReadOnlySpan<float> values)
    {
        if (!TensorPrimitives.IsFiniteAll(mu) || !TensorPrimitives.IsFiniteAll(std) || !TensorPrimitives.IsFiniteAll(values))
        {
            throw new RpcException(new Status(StatusCode.Internal, "the policy's output for this observation is not finite; no action is given."));
        }
    }
}

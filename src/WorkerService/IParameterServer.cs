using A3cGrpc.Contracts.V1;

namespace A3cGrpc.WorkerService;

/// <summary>The parameter server's calls a worker makes (<see cref="ParameterServerClient"/> over gRPC).</summary>
internal interface IParameterServer
{
    /// <summary>The model's layout and the shared hyper-parameters.</summary>
    ValueTask<ModelDescription> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>The newest weights, or a "not modified" answer when <paramref name="knownVersion"/> is current.</summary>
    ValueTask<PullParametersResponse> PullAsync(long knownVersion, TensorEncoding encoding, CancellationToken cancellationToken);

    /// <summary>
    /// Pushes one update. A refusal is an <see cref="Grpc.Core.RpcException"/> carrying its
    /// <see cref="Distributed.PushRefusal"/> reason.
    /// </summary>
    ValueTask<PushGradientsResponse> PushAsync(PushGradientsRequest request, CancellationToken cancellationToken);

    /// <summary>The server's training status (to learn whether training has finished).</summary>
    ValueTask<TrainingStatusReply> GetStatusAsync(CancellationToken cancellationToken);
}

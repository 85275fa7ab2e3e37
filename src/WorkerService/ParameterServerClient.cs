using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Options;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace A3cGrpc.WorkerService;

/// <summary>
/// The worker's calls to the parameter server: each one has a deadline and runs once through the
/// <see cref="PipelineName"/> resilience pipeline (retry with jittered backoff on transient status codes, circuit
/// breaker, overall outage limit). Every call carries the bearer token (a server with a read token asks for it on
/// reads too); a retried push keeps its update id, so the server
/// applies it at most once.
/// </summary>
internal sealed class ParameterServerClient : IParameterServer, IDisposable
{
    /// <summary>The name of the resilience pipeline in the registry.</summary>
    public const string PipelineName = "parameter-server";

    private readonly Grpc.Net.Client.GrpcChannel _channel;
    private readonly ParameterStore.ParameterStoreClient _store;
    private readonly TrainingStatus.TrainingStatusClient _status;
    private readonly ResiliencePipeline _pipeline;
    private readonly Metadata _headers;
    private readonly TimeSpan _callTimeout;

    public ParameterServerClient(IOptions<WorkerOptions> options, ResiliencePipelineProvider<string> pipelines)
    {
        var settings = options.Value;
        _channel = GrpcAddress.CreateChannel(settings.ParameterServerAddress);
        _store = new ParameterStore.ParameterStoreClient(_channel);
        _status = new TrainingStatus.TrainingStatusClient(_channel);
        _pipeline = pipelines.GetPipeline(PipelineName);
        _headers = BearerToken.ToMetadata(settings.PushToken);
        _callTimeout = TimeSpan.FromSeconds(settings.CallTimeoutSeconds);
    }

    /// <inheritdoc />
    public ValueTask<ModelDescription> DescribeAsync(CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            async token => await _store.DescribeModelAsync(new DescribeModelRequest(), _headers, deadline: Deadline(), cancellationToken: token),
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<PullParametersResponse> PullAsync(long knownVersion, TensorEncoding encoding, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            async token => await _store.PullParametersAsync(
                new PullParametersRequest { KnownVersion = knownVersion, Encoding = encoding }, _headers, deadline: Deadline(), cancellationToken: token),
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>Retried with the same update id on transient failures.</remarks>
    public ValueTask<PushGradientsResponse> PushAsync(PushGradientsRequest request, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            async token => await _store.PushGradientsAsync(request, _headers, Deadline(), token),
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<TrainingStatusReply> GetStatusAsync(CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            async token => await _status.GetStatusAsync(new GetStatusRequest(), _headers, deadline: Deadline(), cancellationToken: token),
            cancellationToken);

    public void Dispose() => _channel.Dispose();

    private DateTime Deadline() => DateTime.UtcNow + _callTimeout;
}

using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Runs;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace A3cGrpc.ParameterServer.Hosting;

/// <summary>
/// Sizes gRPC's receive limit to the model: its float32 gradients plus <see cref="ModelLayout.MessageMarginBytes"/>
/// (the value <c>DescribeModel</c> reports). Larger messages are refused by gRPC with RESOURCE_EXHAUSTED.
/// </summary>
public sealed class GrpcMessageLimit(RunSetup setup) : IConfigureOptions<GrpcServiceOptions>
{
    /// <inheritdoc />
    public void Configure(GrpcServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MaxReceiveMessageSize = ModelLayout.MaxReceiveMessageBytesFor(ModelLayout.CountParameters(setup.Hyperparameters));
    }
}

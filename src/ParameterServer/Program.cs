using A3cGrpc.ParameterServer.Hosting;
using Microsoft.Extensions.Options;

// The A3C parameter server: the global model (pull weights, push gradients), the policy service, the training
// status, the evaluator and the run folder (metrics, curve, checkpoints, snapshots, summary). Configuration:
// sections ParameterServer, A3c, Evaluation, Telemetry; where it listens: --urls (h2c).
var builder = WebApplication.CreateBuilder(args);
builder.AddParameterServer();

var app = builder.Build();
app.MapParameterServer();
try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    await Console.Error.WriteLineAsync($"parameter server: invalid configuration: {exception.Message}");
    return 2;
}
catch (InvalidOperationException exception) when (exception.Message.StartsWith("Cannot resume", StringComparison.Ordinal))
{
    await Console.Error.WriteLineAsync($"parameter server: {exception.Message}");
    return 3;
}

/// <summary>Entry point, public for the in-process test server.</summary>
public partial class Program;

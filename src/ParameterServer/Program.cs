using A3cGrpc.ParameterServer.Hosting;

// The A3C parameter server: the global model (pull weights, push gradients), the policy service, the training
// status, the evaluator and the run folder (metrics, curve, checkpoints, snapshots, summary). Configuration:
// sections ParameterServer, A3c, Evaluation, Telemetry; where it listens: --urls (h2c). Invalid options or an
// unreadable checkpoint stop the start with an exception that says what is wrong (non-zero exit code).
var builder = WebApplication.CreateBuilder(args);
builder.AddParameterServer();

var app = builder.Build();
app.MapParameterServer();
app.Run();

/// <summary>Entry point, public for the in-process test server.</summary>
public partial class Program;

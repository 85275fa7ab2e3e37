// The parameter server: in this first stage it hosts gRPC with health checks and reflection only.
// The parameter store, policy and training-status services arrive with the distributed system (issue 3).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpc();
builder.Services.AddGrpcHealthChecks();
builder.Services.AddGrpcReflection();

var app = builder.Build();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
app.Run();

/// <summary>Entry point, public for the in-process test server.</summary>
public partial class Program;

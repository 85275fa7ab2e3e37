// The simulator process: one Bullet swing-up environment per worker. In this first stage it hosts gRPC
// health checks only; the Simulator service (reset/step over a stream) arrives with issue 3.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpc();
builder.Services.AddGrpcHealthChecks();

var app = builder.Build();
app.MapGrpcHealthChecksService();
app.Run();

// The simulator process (EnvSim): K Bullet swing-up environments per gRPC session, for one worker.
// Listens where --urls says (h2c, e.g. http://unix:/tmp/envsim.sock); options in section "Simulator".
using A3cGrpc.EnvSim.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddSimulator();

var app = builder.Build();
app.MapSimulator();
app.Run();

/// <summary>Entry point, public for the in-process test server.</summary>
public partial class Program;

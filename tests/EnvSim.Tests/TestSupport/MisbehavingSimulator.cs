using A3cGrpc.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace A3cGrpc.EnvSim.Tests.TestSupport;

/// <summary>What a <see cref="MisbehavingSimulator"/> gets wrong.</summary>
public enum ReplyDefect
{
    ShortObservations,
    MissingReward,
    MissingFinalObservation,
    SkippedStepCounter,
    EndsStreamInsteadOfReplying,
}

/// <summary>
/// A deliberately broken simulator (the real one cannot send malformed replies): it answers the protocol correctly in
/// shape except for one <see cref="ReplyDefect"/>. Only for testing the client's defences.
/// </summary>
public sealed class MisbehavingSimulator(MisbehavingSimulator.Settings settings) : Simulator.SimulatorBase
{
    private const int ObservationSize = 5;

    public override Task<SimulatorDescription> Describe(DescribeSimulatorRequest request, ServerCallContext context) =>
        Task.FromResult(new SimulatorDescription { ObservationSize = ObservationSize, ActionSize = 1, MaxEnvironments = 64 });

    public override async Task Run(
        IAsyncStreamReader<SimulatorCommand> requestStream, IServerStreamWriter<SimulatorReply> responseStream, ServerCallContext context)
    {
        var count = 0;
        long step = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var command = requestStream.Current;
            var reply = new SimulatorReply { Step = step };
            if (command.CommandCase == SimulatorCommand.CommandOneofCase.Reset)
            {
                count = command.Reset.Count;
                reply.Observations.Add(new float[(count * ObservationSize) - (settings.Defect == ReplyDefect.ShortObservations ? 1 : 0)]);
            }
            else
            {
                if (settings.Defect == ReplyDefect.EndsStreamInsteadOfReplying)
                {
                    return;
                }

                step += settings.Defect == ReplyDefect.SkippedStepCounter ? 2 : 1;
                reply.Step = step;
                reply.Observations.Add(new float[count * ObservationSize]);
                reply.Rewards.Add(new float[count - (settings.Defect == ReplyDefect.MissingReward ? 1 : 0)]);
                reply.Truncated.Add(new bool[count]);
                reply.Truncated[0] = settings.Defect == ReplyDefect.MissingFinalObservation;
            }

            await responseStream.WriteAsync(reply, context.CancellationToken);
        }
    }

    /// <summary>Hosts a misbehaving simulator in a test server; dispose the returned app after the test.</summary>
    public static async Task<(WebApplication App, Simulator.SimulatorClient Client)> StartAsync(ReplyDefect defect)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new Settings(defect));
        var app = builder.Build();
        app.MapGrpcService<MisbehavingSimulator>();
        await app.StartAsync();
        var server = app.GetTestServer();
        var channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler(), DisposeHttpClient = true });
        return (app, new Simulator.SimulatorClient(channel));
    }

    public sealed record Settings(ReplyDefect Defect);
}

using A3cGrpc.Contracts.V1;
using A3cGrpc.EnvSim.Options;
using A3cGrpc.EnvSim.Sessions;
using A3cGrpc.EnvSim.Telemetry;
using A3cGrpc.Simulation;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace A3cGrpc.EnvSim.Services;

/// <summary>
/// The <c>Simulator</c> gRPC service: <c>Describe</c>, and <c>Run</c> sessions of K environments stepped in lock
/// step (one reply per command, in order). A rejected command ends its session with the error's status.
/// </summary>
public sealed partial class SimulatorService(
    IOptions<SimulatorOptions> options,
    SessionLimiter sessions,
    SimulatorTelemetry telemetry,
    IHostApplicationLifetime lifetime,
    ILogger<SimulatorService> logger) : Simulator.SimulatorBase
{
    /// <inheritdoc />
    public override Task<SimulatorDescription> Describe(DescribeSimulatorRequest request, ServerCallContext context) =>
        Task.FromResult(new SimulatorDescription
        {
            EnvironmentId = SwingUpConstants.EnvironmentId,
            ObservationSize = SwingUpConstants.ObservationSize,
            ActionSize = SwingUpConstants.ActionSize,
            ActionLow = (float)SwingUpConstants.ActionLow,
            ActionHigh = (float)SwingUpConstants.ActionHigh,
            MaxEpisodeSteps = SwingUpConstants.MaxEpisodeSteps,
            MaxEnvironments = options.Value.MaxEnvironments,
        });

    /// <inheritdoc />
    public override async Task Run(
        IAsyncStreamReader<SimulatorCommand> requestStream, IServerStreamWriter<SimulatorReply> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        using var lease = sessions.Enter();
        using var session = new EnvironmentSession(options.Value.MaxEnvironments);
        using var rollout = new RolloutTrace(telemetry.ActivitySource);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            while (await requestStream.MoveNext(ending.Token))
            {
                await HandleAsync(requestStream.Current, session, rollout, responseStream, context, ending.Token);
            }

            LogSessionEnded(context.Peer, session.Count, session.Steps);
        }
        catch (RpcException e)
        {
            LogSessionFailed(context.Peer, e.StatusCode, e.Status.Detail);
            rollout.Fail(e.Status.Detail);
            throw;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The simulator is shutting down."));
        }
    }

    /// <summary>One command: its rollout span bookkeeping, the session's reply, and the reply sent.</summary>
    private async Task HandleAsync(
        SimulatorCommand command,
        EnvironmentSession session,
        RolloutTrace rollout,
        IServerStreamWriter<SimulatorReply> responseStream,
        ServerCallContext context,
        CancellationToken cancellationToken)
    {
        var step = command.CommandCase == SimulatorCommand.CommandOneofCase.Step ? command.Step : null;
        var wasStarted = session.Count > 0;
        if (step is not null && wasStarted)
        {
            rollout.BeforeStep(step, session.Count);
        }

        var reply = session.Handle(command);
        if (step is not null)
        {
            telemetry.RecordEnvironmentSteps(session.Count);
            rollout.StepTaken(session.Count);
        }
        else if (!wasStarted)
        {
            LogSessionStarted(context.Peer, session.Count);
        }

        await responseStream.WriteAsync(reply, cancellationToken);
        if (step is { EndsRollout: true })
        {
            rollout.End();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session from {Peer} started with {Environments} environments.")]
    private partial void LogSessionStarted(string peer, int environments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session from {Peer} ended: {Environments} environments, {Steps} steps.")]
    private partial void LogSessionEnded(string peer, int environments, long steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session from {Peer} ended with {StatusCode}: {Detail}")]
    private partial void LogSessionFailed(string peer, StatusCode statusCode, string detail);
}

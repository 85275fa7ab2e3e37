using System.Diagnostics;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace A3cGrpc.WorkerService;

/// <summary>
/// The A3C worker loop: learn the model from the server's description, then run <see cref="UpdateStep"/>s (n steps on
/// K lock-step environments of the worker's own simulator, gradients, push, the weights back in the reply) until stopped or
/// <see cref="WorkerOptions.MaxUpdates"/> is reached. A simulator that fails is replaced and the update abandoned; a
/// refused push (stale, unknown version) is dropped and the worker re-pulls; when the server has finished training
/// the worker waits for it to train again.
/// </summary>
internal sealed partial class A3cWorker(
    IOptions<WorkerOptions> options,
    IParameterServer server,
    ISimulatorConnection simulator,
    WorkerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<A3cWorker> logger) : BackgroundService
{
    private readonly WorkerOptions _options = options.Value;
    private readonly string _workerId = options.Value.EffectiveWorkerId;

    /// <summary>How often a worker whose push was refused because training has finished asks whether it trains again.</summary>
    internal TimeSpan FinishedPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (Exception exception) when (stoppingToken.IsCancellationRequested
                                          && exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopping: a call in flight ends as a cancelled call (a gRPC call cancelled by its token throws
            // RpcException Cancelled, not OperationCanceledException). Found by the chaos test.
            LogStopped(_workerId);
        }
        catch (Exception exception)
        {
            LogFailed(exception, _workerId);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <summary>
    /// The loop <see cref="ExecuteAsync"/> runs: returns when <paramref name="stoppingToken"/> is cancelled between
    /// updates, or after <see cref="WorkerOptions.MaxUpdates"/> updates, having stopped the application; throws what
    /// an update or the server's description threw.
    /// </summary>
    internal async Task RunAsync(CancellationToken stoppingToken)
    {
        var description = await server.DescribeAsync(stoppingToken);
        var hyperparameters = HyperparameterWire.FromDescription(description);
        using var learner = new GradientLearner(hyperparameters, _options.EffectiveSeed);
        using var policy = new ActorCriticPolicy(learner.Model, _options.EffectiveSeed);
        var environments = _options.Environments ?? hyperparameters.EnvironmentsPerLearner(distributed: true);
        var step = new UpdateStep(_workerId, learner, policy, new Rollout(hyperparameters, environments), server, metrics, logger);
        LogStarting(_workerId, description.Version, hyperparameters.Preset, hyperparameters.NSteps, environments);

        IEnvironmentSession? session = null;
        try
        {
            var lastLog = Stopwatch.StartNew();
            while (!stoppingToken.IsCancellationRequested && (_options.MaxUpdates == 0 || step.Updates < _options.MaxUpdates))
            {
                if (session is null)
                {
                    session = await simulator.OpenSessionAsync(step.Rollout.Environments, step.Rollout.StaggersEpisodes, stoppingToken);
                    step.Rollout.ResetEpisodes();
                }

                var outcome = await step.RunAsync(session, stoppingToken);
                if (outcome == UpdateOutcome.SimulatorFailed)
                {
                    await session.DisposeAsync();
                    session = null;
                    await simulator.ResetAfterFailureAsync();
                }
                else if (outcome == UpdateOutcome.TrainingFinished)
                {
                    await WaitWhileFinishedAsync(stoppingToken);
                }

                if (lastLog.Elapsed > TimeSpan.FromSeconds(10))
                {
                    LogProgress(_workerId, step.Updates, step.Version, step.EnvironmentSteps);
                    lastLog.Restart();
                }
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }

        if (stoppingToken.IsCancellationRequested)
        {
            // Stopped between two calls (the usual case, as a push in flight is finished first): the loop ended by
            // itself. Missing from the log before, found by the chaos test's complete-log check.
            LogStopped(_workerId);
        }
        else
        {
            LogDone(_workerId, step.Updates);
            lifetime.StopApplication();
        }
    }

    private async Task WaitWhileFinishedAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var status = await server.GetStatusAsync(stoppingToken);
            if (string.IsNullOrEmpty(status.Progress?.FinishedReason))
            {
                return;
            }

            await Task.Delay(FinishedPollInterval, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} starts at model version {Version}: preset {Preset}, n = {NSteps}, {Environments} environments")]
    private partial void LogStarting(string workerId, long version, string preset, int nSteps, int environments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId}: {Updates} updates, model version {Version}, {Steps} environment steps")]
    private partial void LogProgress(string workerId, long updates, long version, long steps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped")]
    private partial void LogStopped(string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} finished its {Updates} updates")]
    private partial void LogDone(string workerId, long updates);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Worker {WorkerId} failed")]
    private partial void LogFailed(Exception exception, string workerId);
}

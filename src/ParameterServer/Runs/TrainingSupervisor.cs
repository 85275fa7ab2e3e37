using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.ParameterServer.Acting;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// The run's life cycle around the global model (loaded or resumed when this service is built, before the server
/// listens): at start it checks the policy service's forward pass against the learning core, applies budgets and a solved state carried over from a resumed run; while running it
/// checks the time budget and writes a checkpoint every <c>CheckpointIntervalSeconds</c> when the version changed;
/// on a graceful stop it writes the final checkpoint, evaluates the best policy once more on the confirmation episodes,
/// writes the summary and refuses further pushes. It is also the
/// readiness the health service reports.
/// </summary>
public sealed partial class TrainingSupervisor(
    GlobalModel model,
    LivePolicy live,
    CheckpointWriter checkpoints,
    BestPolicyKeeper best,
    RunRecorder recorder,
    TrainingClock clock,
    RunSetup setup,
    TimeProvider time,
    ILogger<TrainingSupervisor> logger) : IHostedService, IDisposable
{
    /// <summary>How often the time budget and the checkpoint interval are checked.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stopGate = new();
    private Task? _loop;
    private Task? _stopped;
    private volatile bool _serving;

    /// <summary>True from the end of start-up until the server begins to stop.</summary>
    public bool IsServing => _serving;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        live.Verify();
        if (setup.Server.StopWhenSolved && recorder.SolvedBy is not null)
        {
            model.Finish(FinishReasons.Solved);
        }

        model.CheckBudgets();
        _loop = RunAsync(_stopping.Token);
        _serving = true;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes the final checkpoint and summary once; a second call (the host can be stopped twice, for example by a
    /// test host and the application's own run loop) waits for the same work, so nothing is disposed before it is done.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopGate)
        {
            return _stopped ??= StopOnceAsync();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    private async Task StopOnceAsync()
    {
        _serving = false;
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        var counters = checkpoints.Write("shutdown");
        model.Close();
        BestPolicy? confirmed = null;
        try
        {
            confirmed = best.Confirm(clock.ElapsedSeconds);
            if (confirmed?.Confirmation is { } confirmation)
            {
                ServerLog.BestPolicyConfirmed(
                    logger, confirmed.ModelVersion, confirmed.Evaluation.Mean, confirmation.Episodes, confirmation.Mean, confirmation.Std);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            LogConfirmationFailed(logger, exception);
        }

        recorder.WriteReport(new ReportState(model.Totals, clock.ElapsedSeconds, clock.SessionSeconds, model.FinishedReason ?? FinishReasons.ServerStopped));
        LogStopped(logger, counters?.ModelVersion ?? model.Version, counters?.EnvironmentSteps ?? model.Totals.EnvironmentSteps, setup.Folder.Path);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(setup.Server.CheckpointIntervalSeconds);
        var lastCheckpoint = time.GetTimestamp();
        using var timer = new PeriodicTimer(TickInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    model.CheckBudgets();
                    if (time.GetElapsedTime(lastCheckpoint) >= interval)
                    {
                        lastCheckpoint = time.GetTimestamp();
                        if (model.Version != checkpoints.LastVersion)
                        {
                            checkpoints.Write("periodic");
                        }
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    LogCheckpointFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped at version {Version} ({EnvironmentSteps} environment steps); final checkpoint and summary in {RunDirectory}")]
    private static partial void LogStopped(ILogger logger, long version, long environmentSteps, string runDirectory);

    [LoggerMessage(Level = LogLevel.Error, Message = "The best policy could not be evaluated again; the summary names it without a confirmation")]
    private static partial void LogConfirmationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Periodic checkpoint failed; trying again at the next interval")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}

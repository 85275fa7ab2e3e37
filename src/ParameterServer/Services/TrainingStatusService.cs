using A3cGrpc.Contracts.V1;
using A3cGrpc.ParameterServer.Monitoring;
using A3cGrpc.ParameterServer.Runs;
using Grpc.Core;
using static A3cGrpc.ParameterServer.Services.RequestChecks;

namespace A3cGrpc.ParameterServer.Services;

/// <summary>
/// training.proto: the status now (<c>GetStatus</c>) and a stream of it (<c>WatchStatus</c>): a progress snapshot
/// at once and every <c>interval_ms</c>, plus each evaluation and the solved event as they happen. The stream ends
/// when the client cancels or the server stops.
/// </summary>
public sealed class TrainingStatusService(
    StatusReporter reporter, StatusEvents events, IHostApplicationLifetime lifetime, TimeProvider time, RunSetup setup) : TrainingStatus.TrainingStatusBase
{
    /// <summary>The interval when a request asks for 0.</summary>
    public const int DefaultIntervalMs = 1000;

    /// <summary>The shortest interval accepted.</summary>
    public const int MinIntervalMs = 50;

    /// <inheritdoc />
    /// <remarks>The run folder's path is shown only to callers with the read or push token.</remarks>
    public override Task<TrainingStatusReply> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        RequireReader(context, setup.Server, "GetStatus");
        var status = reporter.Status();
        if (!IsReader(context, setup.Server))
        {
            status.RunDirectory = string.Empty;
        }

        return Task.FromResult(status);
    }

    /// <inheritdoc />
    public override async Task WatchStatus(WatchStatusRequest request, IServerStreamWriter<TrainingEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        RequireReader(context, setup.Server, "WatchStatus");
        var intervalMs = request.IntervalMs == 0 ? DefaultIntervalMs : request.IntervalMs;
        if (intervalMs < MinIntervalMs)
        {
            throw Invalid($"interval_ms must be 0 (meaning {DefaultIntervalMs}) or at least {MinIntervalMs}, got {request.IntervalMs}.");
        }

        var interval = TimeSpan.FromMilliseconds(intervalMs);
        using var subscription = events.Subscribe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = stop.Token;
        try
        {
            await responseStream.WriteAsync(new TrainingEvent { Progress = reporter.Progress() }, cancellationToken);
            var lastProgress = time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = interval - time.GetElapsedTime(lastProgress);
                if (wait > TimeSpan.Zero)
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(wait);
                    try
                    {
                        await subscription.Reader.WaitToReadAsync(timeout.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Time for the next progress snapshot.
                    }

                    while (subscription.Reader.TryRead(out var trainingEvent))
                    {
                        await responseStream.WriteAsync(trainingEvent, cancellationToken);
                    }

                    continue;
                }

                await responseStream.WriteAsync(new TrainingEvent { Progress = reporter.Progress() }, cancellationToken);
                lastProgress = time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server is stopping: the stream ends.
        }
    }
}

using A3cGrpc.Contracts.V1;
using Grpc.Core;

namespace A3cGrpc.TestSupport;

/// <summary>Waiting on a parameter server's training status, through restarts.</summary>
public static class StatusPolling
{
    /// <summary>
    /// Polls <c>GetStatus</c> (through <see cref="Poll"/>, every 250 ms) until <paramref name="condition"/> holds; failed
    /// calls (a restarting server) are retried. On timeout the exception names <paramref name="what"/>, the last
    /// status and <paramref name="diagnostics"/>.
    /// </summary>
    public static Task<TrainingStatusReply> WaitForStatusAsync(
        Func<TrainingStatus.TrainingStatusClient> status, Func<TrainingStatusReply, bool> condition, TimeSpan timeout, string what, Func<Task<string>> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(status);
        return Poll.UntilAsync(
            async () => await status().GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5)),
            condition,
            what,
            timeout,
            TimeSpan.FromMilliseconds(250),
            retryWhen: exception => exception is RpcException,
            diagnostics);
    }
}

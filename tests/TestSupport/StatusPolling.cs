using A3cGrpc.Contracts.V1;
using Grpc.Core;

namespace A3cGrpc.TestSupport;

/// <summary>Waiting on a parameter server's training status, through restarts.</summary>
public static class StatusPolling
{
    /// <summary>
    /// Polls <c>GetStatus</c> until <paramref name="condition"/> holds; failed calls (a restarting server) are retried.
    /// On timeout the exception names <paramref name="what"/>, the last progress and <paramref name="diagnostics"/>.
    /// </summary>
    public static async Task<TrainingStatusReply> WaitForStatusAsync(
        Func<TrainingStatus.TrainingStatusClient> status, Func<TrainingStatusReply, bool> condition, TimeSpan timeout, string what, Func<Task<string>> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var deadline = DateTime.UtcNow + timeout;
        TrainingStatusReply? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await status().GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                if (condition(last))
                {
                    return last;
                }
            }
            catch (RpcException)
            {
                // The server may be restarting.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Timed out waiting for {what}. Last progress: {last?.Progress}.\n{await diagnostics()}");
    }
}

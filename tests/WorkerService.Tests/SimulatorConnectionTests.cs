using System.Diagnostics;
using A3cGrpc.Distributed.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace A3cGrpc.WorkerService.Tests;

/// <summary>
/// The worker's own simulator process after a failed session: kept when it still answers, replaced when it does not
/// (a killed process can break the stream before its exit is seen; here a stopped process stands for that moment).
/// </summary>
public sealed class SimulatorConnectionTests
{
    private static readonly TimeSpan _hangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ResetAfterFailure_SimulatorStillAnswers_KeepsTheProcess()
    {
        using var cancellation = new CancellationTokenSource(_hangGuard);
        await using var connection = Connection();
        await using (await connection.OpenSessionAsync(2, staggerEpisodes: false, cancellation.Token))
        {
        }

        var first = connection.SimulatorProcessId;

        await connection.ResetAfterFailureAsync();
        await using var session = await connection.OpenSessionAsync(2, staggerEpisodes: false, cancellation.Token);

        Assert.NotNull(first);
        Assert.Equal(first, connection.SimulatorProcessId);
    }

    [Fact]
    public async Task ResetAfterFailure_SimulatorAliveButNotAnswering_StartsANewOne()
    {
        using var cancellation = new CancellationTokenSource(_hangGuard);
        await using var connection = Connection();
        await using (await connection.OpenSessionAsync(2, staggerEpisodes: false, cancellation.Token))
        {
        }

        var stopped = connection.SimulatorProcessId!.Value;
        Signal("STOP", stopped);
        try
        {
            await connection.ResetAfterFailureAsync();
            await using var session = await connection.OpenSessionAsync(2, staggerEpisodes: false, cancellation.Token);
            await session.StepAsync(new float[] { 0.5f, -0.5f }, default, endsRollout: true, cancellation.Token);

            Assert.NotEqual(stopped, connection.SimulatorProcessId);
            Assert.Equal(2, session.Rewards.Length);
        }
        finally
        {
            Signal("KILL", stopped);
        }
    }

    private static SimulatorConnection Connection() => new(
        Options.Create(new WorkerOptions { WorkerId = "worker-test", EnvSimPath = Path.Combine(AppContext.BaseDirectory, "A3cGrpc.EnvSim.dll") }),
        NullLogger<SimulatorConnection>.Instance);

    private static void Signal(string signal, int processId)
    {
        using var kill = Process.Start("kill", $"-{signal} {processId}");
        kill.WaitForExit();
    }
}

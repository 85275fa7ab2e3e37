namespace A3cGrpc.EnvSim.Tests.TestSupport;

/// <summary>Waits for a condition that another process or thread makes true, with a generous hang guard (no timing assertion).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string description)
    {
        using var guard = new CancellationTokenSource(SimulatorHost.HangGuard);
        while (!condition())
        {
            Assert.False(guard.IsCancellationRequested, $"Still not true after {SimulatorHost.HangGuard.TotalSeconds} s: {description}.");
            await Task.Delay(50, CancellationToken.None);
        }
    }
}

namespace A3cGrpc.ParameterServer.Tests.TestSupport;

/// <summary>Waits for something the server does in the background; the timeout only guards against a hang.</summary>
public static class Poll
{
    /// <summary>The hang guard.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <see cref="Timeout"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }
}

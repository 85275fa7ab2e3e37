namespace A3cGrpc.TestSupport;

/// <summary>
/// The tests' one way to wait for something another process, thread or background service makes true. The timeout
/// only guards against a hang (no timing assertion): on expiry it throws <see cref="TimeoutException"/> naming what
/// was awaited.
/// </summary>
public static class Poll
{
    /// <summary>The default hang guard.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), holds => holds, what, timeout);
    }

    /// <summary>
    /// Polls <paramref name="probe"/> every <paramref name="interval"/> (default 20 ms) until <paramref name="condition"/>
    /// holds for its value, and returns that value. With <paramref name="retryWhen"/>, a probe that throws such an
    /// exception (a restarting server) is tried again. On timeout the message has the last value and
    /// <paramref name="diagnostics"/>.
    /// </summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> condition,
        string what,
        TimeSpan? timeout = null,
        TimeSpan? interval = null,
        Func<Exception, bool>? retryWhen = null,
        Func<Task<string>>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? Timeout;
        var deadline = DateTime.UtcNow + limit;
        var last = default(T);
        while (true)
        {
            try
            {
                last = await probe();
                if (condition(last))
                {
                    return last;
                }
            }
            catch (Exception exception) when (retryWhen?.Invoke(exception) == true)
            {
                // Tried again below.
            }

            if (DateTime.UtcNow > deadline)
            {
                var details = diagnostics is null ? "" : $"\n{await diagnostics()}";
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}. Last value: {last}.{details}");
            }

            await Task.Delay(interval ?? _interval);
        }
    }
}

namespace A3cGrpc.Cli.Launcher;

/// <summary>
/// When a supervised process that died may be started again: unless this death is the <see cref="MaxDeaths"/>-th
/// within <see cref="Window"/> (a process that keeps dying, for example on an unreadable checkpoint, ends the run
/// instead of looping). Deaths older than the window are forgotten.
/// </summary>
internal sealed class RestartWindow
{
    /// <summary>The parameter server may die this many times within <see cref="ServerWindow"/> before the launcher gives up.</summary>
    public const int ServerMaxDeaths = 3;

    /// <summary>The window of <see cref="ServerMaxDeaths"/>.</summary>
    public static readonly TimeSpan ServerWindow = TimeSpan.FromSeconds(60);

    private readonly Queue<DateTimeOffset> _deaths = new();

    /// <summary>A rule: <paramref name="maxDeaths"/> deaths within <paramref name="window"/> end the run.</summary>
    public RestartWindow(int maxDeaths, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDeaths, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        MaxDeaths = maxDeaths;
        Window = window;
    }

    /// <summary>The parameter server's rule (<see cref="ServerMaxDeaths"/> within <see cref="ServerWindow"/>).</summary>
    public static RestartWindow ForServer() => new(ServerMaxDeaths, ServerWindow);

    /// <summary>Deaths within the window that end the run.</summary>
    public int MaxDeaths { get; }

    /// <summary>How far back deaths count.</summary>
    public TimeSpan Window { get; }

    /// <summary>The deaths within the window that ends at the last <see cref="RecordDeath"/> (that one included).</summary>
    public int RecentDeaths => _deaths.Count;

    /// <summary>Records a death at <paramref name="at"/> (times must not go backwards).</summary>
    /// <returns>True when the process may be started again; false when this death is the last one allowed.</returns>
    public bool RecordDeath(DateTimeOffset at)
    {
        if (_deaths.Count > 0 && _deaths.Last() is var last && last > at)
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"Deaths must be recorded in order; the last was at {last:O}.");
        }

        while (_deaths.TryPeek(out var oldest) && at - oldest >= Window)
        {
            _deaths.Dequeue();
        }

        _deaths.Enqueue(at);
        return _deaths.Count < MaxDeaths;
    }
}

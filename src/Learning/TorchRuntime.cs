using TorchSharp;

namespace A3cGrpc.Learning;

/// <summary>
/// Process-wide LibTorch settings. Call <see cref="Initialize"/> once at start-up, before any tensor work
/// (docs/platform-notes.md: one thread per process on the 2-core machine).
/// </summary>
/// <remarks>
/// LibTorch aborts the whole process (an uncatchable native error) when the inter-op thread count is set twice
/// or after the inter-op pool has started. This class is therefore the only place that may set it, and does so
/// at most once per process.
/// </remarks>
public static class TorchRuntime
{
    private static readonly Lock _gate = new();
    private static bool _interOpConfigured;

    /// <summary>Whether <see cref="Initialize"/> has run in this process.</summary>
    public static bool IsInitialized { get; private set; }

    /// <summary>The intra-op thread count set by the last <see cref="Initialize"/> call (0 before the first).</summary>
    public static int Threads { get; private set; }

    /// <summary>
    /// Loads LibTorch and sets its intra-op thread count to <paramref name="threads"/> and, on the first call only,
    /// its inter-op thread count too. Idempotent: later calls only change the intra-op count.
    /// </summary>
    /// <param name="threads">Threads for LibTorch's intra-op pool (1 = one thread per process).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public static void Initialize(int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (_gate)
        {
            if (IsInitialized && Threads == threads)
            {
                return;
            }

            torch.set_num_threads(threads);
            if (!_interOpConfigured)
            {
                // Reading the count does not start the pool; setting it to the value it already reports is skipped,
                // so a process that never needs the change never risks LibTorch's one-shot check.
                if (torch.get_num_interop_threads() != threads)
                {
                    torch.set_num_interop_threads(threads);
                }

                _interOpConfigured = true;
            }

            Threads = threads;
            IsInitialized = true;
        }
    }
}

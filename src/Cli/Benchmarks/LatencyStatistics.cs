namespace A3cGrpc.Cli.Benchmarks;

/// <summary>Per-call latencies of a benchmark (every call timed on its own), with percentiles and rate.</summary>
internal sealed record LatencyStatistics(
    string Name,
    int Calls,
    double P50Microseconds,
    double P90Microseconds,
    double P99Microseconds,
    double MeanMicroseconds,
    double CallsPerSecond,
    double CpuMicrosecondsPerCall,
    string Notes)
{
    /// <summary>Summarises <paramref name="microseconds"/> (one per call) measured over <paramref name="wallSeconds"/>.</summary>
    public static LatencyStatistics From(string name, IReadOnlyList<double> microseconds, double wallSeconds, double cpuMicroseconds, string notes)
    {
        ArgumentNullException.ThrowIfNull(microseconds);
        var sorted = microseconds.Order().ToArray();
        return new LatencyStatistics(
            name,
            sorted.Length,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.90),
            Percentile(sorted, 0.99),
            sorted.Average(),
            sorted.Length / wallSeconds,
            cpuMicroseconds / sorted.Length,
            notes);
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}

using System.Diagnostics;

namespace A3cGrpc.Cli.Benchmarks;

/// <summary>
/// One benchmark's result: the time of one operation over several timed repetitions (each repetition
/// runs many operations and divides), so that timer resolution and one-off stalls do not dominate.
/// </summary>
internal sealed record Measurement(
    string Name,
    string Unit,
    int Repetitions,
    long OperationsPerRepetition,
    double MedianMicroseconds,
    double P10Microseconds,
    double P90Microseconds,
    double OperationsPerSecond,
    string Notes)
{
    /// <summary>
    /// Runs <paramref name="operation"/> once as a warm-up repetition, then <paramref name="repetitions"/>
    /// timed repetitions of <paramref name="operations"/> calls each.
    /// </summary>
    public static Measurement Run(string name, string unit, int repetitions, long operations, string notes, Action operation)
    {
        for (long i = 0; i < operations; i++)
        {
            operation();
        }

        var perOperation = new double[repetitions];
        for (var r = 0; r < repetitions; r++)
        {
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < operations; i++)
            {
                operation();
            }

            perOperation[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / operations;
        }

        Array.Sort(perOperation);
        var median = Percentile(perOperation, 0.5);
        return new Measurement(
            name, unit, repetitions, operations, median, Percentile(perOperation, 0.1), Percentile(perOperation, 0.9), 1e6 / median, notes);
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}

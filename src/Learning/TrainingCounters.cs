namespace A3cGrpc.Learning;

/// <summary>Progress counters saved with a checkpoint so that a resumed run continues its numbering.</summary>
public sealed record TrainingCounters
{
    /// <summary>Environment steps taken (all workers together).</summary>
    public long EnvironmentSteps { get; init; }

    /// <summary>Optimiser steps taken (updates or applied gradient pushes).</summary>
    public long Updates { get; init; }

    /// <summary>Episodes finished.</summary>
    public long Episodes { get; init; }

    /// <summary>Version of the global weights (the parameter server's counter; equals <see cref="Updates"/> in a single process).</summary>
    public long ModelVersion { get; init; }

    /// <summary>Training wall-clock time so far, in seconds.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Checks that every counter is non-negative and the time finite.</summary>
    /// <exception cref="ArgumentException">A counter is negative or the time is not finite.</exception>
    public void Validate()
    {
        RequireNonNegative(EnvironmentSteps, nameof(EnvironmentSteps));
        RequireNonNegative(Updates, nameof(Updates));
        RequireNonNegative(Episodes, nameof(Episodes));
        RequireNonNegative(ModelVersion, nameof(ModelVersion));
        if (!double.IsFinite(ElapsedSeconds) || ElapsedSeconds < 0)
        {
            throw new ArgumentException($"ElapsedSeconds must be finite and non-negative, got {ElapsedSeconds}.", nameof(ElapsedSeconds));
        }
    }

    private static void RequireNonNegative(long value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentException($"{name} must be non-negative, got {value}.", name);
        }
    }
}

namespace A3cGrpc.Training.Reporting;

/// <summary>The files one training run leaves behind, all in one folder.</summary>
public sealed class RunFolder
{
    /// <summary>Creates <paramref name="path"/> if needed.</summary>
    public RunFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>Every training episode and evaluation, one CSV row each.</summary>
    public string MetricsCsv => System.IO.Path.Combine(Path, "metrics.csv");

    /// <summary>The learning curve against env steps and wall time.</summary>
    public string LearningCurvePng => System.IO.Path.Combine(Path, "learning-curve.png");

    /// <summary>Weights, optimiser state and counters, enough to resume.</summary>
    public string Checkpoint => System.IO.Path.Combine(Path, "checkpoint.a3c");

    /// <summary>The settings the run started with; a resumed run reads them back.</summary>
    public string ConfigJson => System.IO.Path.Combine(Path, "config.json");

    /// <summary>The run's outcome: settings, totals, milestones, best and last evaluation.</summary>
    public string SummaryJson => System.IO.Path.Combine(Path, "summary.json");

    /// <summary>A fresh folder name under <paramref name="root"/>, such as <c>runs/20261123-224501-n8-s1</c>.</summary>
    public static string NewPath(string root, int nSteps, int seed, DateTimeOffset now) =>
        System.IO.Path.Combine(root, $"{now.UtcDateTime:yyyyMMdd-HHmmss}-n{nSteps}-s{seed}");
}

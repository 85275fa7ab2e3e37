namespace A3cGrpc.Experiments.Reporting;

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

    /// <summary>File name of the run's settings.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>File name of the run's checkpoint.</summary>
    public const string CheckpointFileName = "checkpoint.a3c";

    /// <summary>File name of the run's metrics.</summary>
    public const string MetricsFileName = "metrics.csv";

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>Every training episode and evaluation, one CSV row each.</summary>
    public string MetricsCsv => System.IO.Path.Combine(Path, MetricsFileName);

    /// <summary>The learning curve against env steps and wall time.</summary>
    public string LearningCurvePng => System.IO.Path.Combine(Path, "learning-curve.png");

    /// <summary>Weights, optimiser state and counters, enough to resume.</summary>
    public string Checkpoint => System.IO.Path.Combine(Path, CheckpointFileName);

    /// <summary>The best-evaluated policy (<see cref="Evaluation.BestPolicyFile"/>).</summary>
    public string BestPolicy => System.IO.Path.Combine(Path, "best-policy.a3c");

    /// <summary>The settings the run started with; a resumed run reads them back.</summary>
    public string ConfigJson => System.IO.Path.Combine(Path, ConfigFileName);

    /// <summary>The run's outcome: settings, totals, milestones, best and last evaluation.</summary>
    public string SummaryJson => System.IO.Path.Combine(Path, "summary.json");

    /// <summary>True when <paramref name="path"/> already holds a run's settings, metrics or checkpoint.</summary>
    public static bool HoldsARun(string path) =>
        File.Exists(System.IO.Path.Combine(path, ConfigFileName))
        || File.Exists(System.IO.Path.Combine(path, MetricsFileName))
        || File.Exists(System.IO.Path.Combine(path, CheckpointFileName));

    /// <summary>A fresh folder name under <paramref name="root"/>, such as <c>runs/20261123-224501-n8-s1</c>.</summary>
    public static string NewPath(string root, int nSteps, int seed, DateTimeOffset now) =>
        System.IO.Path.Combine(root, $"{now.UtcDateTime:yyyyMMdd-HHmmss-fff}-n{nSteps}-s{seed}");
}

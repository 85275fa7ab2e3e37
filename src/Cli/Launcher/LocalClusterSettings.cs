using A3cGrpc.Experiments.Reporting;

namespace A3cGrpc.Cli.Launcher;

/// <summary>What <see cref="LocalCluster"/> runs: the run's settings and how many processes.</summary>
/// <param name="Run">Hyper-parameters, seed and evaluation (the run folder's config.json).</param>
/// <param name="RunDirectory">The run folder (the parameter server resumes it when it holds a checkpoint).</param>
/// <param name="Workers">Worker processes (each with its own EnvSim process).</param>
/// <param name="MaxEnvironmentSteps">Step budget over the whole run, or null.</param>
/// <param name="StopAtElapsedSeconds">Training-time budget over the whole run (the server's clock), or null.</param>
/// <param name="StopWhenSolved">Finish at the first evaluation mean at or above the solve threshold.</param>
/// <param name="CheckpointIntervalSeconds">
/// Seconds between the server's periodic checkpoints (what a killed server loses at most), or null for the server's default.
/// </param>
internal sealed record LocalClusterSettings(
    RunSettings Run,
    string RunDirectory,
    int Workers,
    long? MaxEnvironmentSteps,
    double? StopAtElapsedSeconds,
    bool StopWhenSolved,
    int? CheckpointIntervalSeconds = null);

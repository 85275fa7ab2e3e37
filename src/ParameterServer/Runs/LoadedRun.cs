using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// The state a server session starts from: a new run (seeded weights, version 1) or the folder's checkpoint
/// (weights, Adam state, counters, ledger) with its history read back from metrics.csv, trimmed to the checkpoint.
/// </summary>
public sealed class LoadedRun
{
    private LoadedRun(GlobalLearner learner, ModelTotals totals, double elapsedSeconds, ServerCheckpointState state, MetricsHistory history, bool resumed)
    {
        Learner = learner;
        Totals = totals;
        ElapsedSeconds = elapsedSeconds;
        State = state;
        History = history;
        Resumed = resumed;
        var versions = state.Evaluations.ToDictionary(e => (e.EnvSteps, e.WallSeconds), e => e.ModelVersion);
        EvaluationVersions = [.. history.Evaluations.Select(e => versions.GetValueOrDefault((e.EnvSteps, e.WallSeconds)))];
    }

    /// <summary>The global learner (model and Adam); the global model takes ownership.</summary>
    public GlobalLearner Learner { get; }

    /// <summary>Version and counters to continue from.</summary>
    public ModelTotals Totals { get; }

    /// <summary>Training time of earlier sessions.</summary>
    public double ElapsedSeconds { get; }

    /// <summary>Ledger, evaluation versions and refused count saved with the checkpoint.</summary>
    public ServerCheckpointState State { get; }

    /// <summary>Training episodes and evaluations so far.</summary>
    public MetricsHistory History { get; }

    /// <summary>The model version of each of <see cref="MetricsHistory.Evaluations"/> (0 where unknown).</summary>
    public IReadOnlyList<long> EvaluationVersions { get; }

    /// <summary>True when the session continues a checkpoint.</summary>
    public bool Resumed { get; }

    /// <summary>Starts a new run or resumes the folder's checkpoint, as <paramref name="setup"/> says.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint or metrics cannot be read (the message says why).</exception>
    public static LoadedRun Load(RunSetup setup, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(logger);
        var learner = new GlobalLearner(setup.Hyperparameters, setup.Seed);
        try
        {
            return setup.Resuming ? Resume(setup, learner, logger) : Start(setup, learner, logger);
        }
        catch
        {
            learner.Dispose();
            throw;
        }
    }

    private static LoadedRun Start(RunSetup setup, GlobalLearner learner, ILogger logger)
    {
        var folder = setup.Folder;
        if (File.Exists(folder.MetricsCsv))
        {
            // A folder without a checkpoint has no state to continue: rows of an abandoned start are dropped.
            MetricsHistory.LoadAndTrim(folder.MetricsCsv, -1);
            logger.LogWarning("{RunDirectory} held metrics but no checkpoint; starting a new run there.", folder.Path);
        }

        if (Directory.Exists(setup.SnapshotsDirectory))
        {
            foreach (var stale in Directory.EnumerateFiles(setup.SnapshotsDirectory))
            {
                File.Delete(stale);
            }
        }

        setup.Settings.Save(folder.ConfigJson);
        var hiddenSizes = string.Join(", ", setup.Hyperparameters.EffectiveHiddenSizes);
        ServerLog.NewRun(logger, folder.Path, setup.Seed, hiddenSizes, setup.Hyperparameters.NSteps, setup.Hyperparameters.EffectiveLearningRate);
        return new LoadedRun(learner, new ModelTotals(1, 0, 0, 0), 0, ServerCheckpointState.Parse(null), new MetricsHistory(), resumed: false);
    }

    private static LoadedRun Resume(RunSetup setup, GlobalLearner learner, ILogger logger)
    {
        var folder = setup.Folder;
        LoadedCheckpoint checkpoint;
        ServerCheckpointState state;
        MetricsHistory history;
        try
        {
            checkpoint = learner.LoadCheckpoint(folder.Checkpoint);
            state = ServerCheckpointState.Parse(checkpoint.ExtraJson);
            history = MetricsHistory.LoadAndTrim(folder.MetricsCsv, checkpoint.Counters.EnvironmentSteps);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot resume the run in {folder.Path}: {exception.Message}", exception);
        }

        if (!File.Exists(folder.ConfigJson))
        {
            setup.Settings.Save(folder.ConfigJson);
        }

        var counters = checkpoint.Counters;
        var totals = new ModelTotals(Math.Max(1, counters.ModelVersion), counters.EnvironmentSteps, counters.Updates, counters.Episodes);
        ServerLog.Resumed(
            logger, folder.Path, checkpoint.SavedAtUtc, totals.Version, totals.EnvironmentSteps, totals.Updates, totals.Episodes,
            counters.ElapsedSeconds, history.Evaluations.Count);
        return new LoadedRun(learner, totals, counters.ElapsedSeconds, state, history, resumed: true);
    }
}

using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Model;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// Writes the run's checkpoint (atomically, through <see cref="CheckpointStore"/>) and keeps a copy of it as the
/// version's policy snapshot. One writer at a time, so the copy is always of the checkpoint just written.
/// </summary>
public sealed class CheckpointWriter
{
    private readonly Lock _gate = new();
    private readonly GlobalModel _model;
    private readonly PolicySnapshots _snapshots;
    private readonly RunSetup _setup;
    private readonly ILogger<CheckpointWriter> _logger;
    private long _lastVersion;

    /// <summary>A writer for <paramref name="setup"/>'s run folder.</summary>
    public CheckpointWriter(GlobalModel model, PolicySnapshots snapshots, RunSetup setup, LoadedRun run, ILogger<CheckpointWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(run);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _snapshots = snapshots ?? throw new ArgumentNullException(nameof(snapshots));
        _setup = setup ?? throw new ArgumentNullException(nameof(setup));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _lastVersion = run.Resumed ? run.Totals.Version : 0;
    }

    /// <summary>The version of the newest checkpoint (0 before the first of a new run).</summary>
    public long LastVersion => Interlocked.Read(ref _lastVersion);

    /// <summary>
    /// Writes a checkpoint of the current version and its snapshot. A model state that cannot be saved (a non-finite
    /// weight or moment, counters out of range: neither should ever be reached, since pushes that would cause them are
    /// refused) is logged as an error and not written, so the last good checkpoint on disk is never overwritten by it.
    /// </summary>
    /// <param name="why">For the log ("evaluation", "periodic", "shutdown", ...).</param>
    /// <returns>The counters saved, or null when the state was refused.</returns>
    public TrainingCounters? Write(string why)
    {
        lock (_gate)
        {
            TrainingCounters counters;
            try
            {
                counters = _model.SaveCheckpoint(_setup.Folder.Checkpoint);
            }
            catch (Exception exception) when (exception is (InvalidOperationException and not ObjectDisposedException) or ArgumentException)
            {
                ServerLog.CheckpointRefused(_logger, why, exception.Message);
                return null;
            }

            _snapshots.Add(_setup.Folder.Checkpoint, counters.ModelVersion);
            Interlocked.Exchange(ref _lastVersion, counters.ModelVersion);
            ServerLog.CheckpointWritten(_logger, why, counters.ModelVersion, counters.EnvironmentSteps);
            return counters;
        }
    }
}

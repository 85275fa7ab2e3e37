using System.Text.Json;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using Microsoft.Extensions.Options;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// The settings the server runs with. A new run takes them from configuration (sections <c>A3c</c>,
/// <c>Evaluation</c>, <c>ParameterServer:Seed</c>). A run folder that holds a checkpoint is resumed with the
/// settings in its <c>config.json</c> (as <c>a3c train --resume</c> does): the checkpoint only fits the network it
/// was written from, and the curve only makes sense with one evaluation protocol. Configured values that differ are
/// reported as a warning. The budgets, tokens, staleness and checkpoint settings always come from configuration.
/// Holds the run folder's lock (<see cref="RunFolderLock"/>) for the life of the server.
/// </summary>
public sealed class RunSetup : IDisposable
{
    /// <summary>The folder (inside the run folder) that holds the policy snapshots for pinned <c>Act</c> calls.</summary>
    public const string SnapshotsFolderName = "snapshots";

    /// <summary>How long a new server waits for another one to release the run folder (its final checkpoint).</summary>
    public static readonly TimeSpan FolderLockWait = TimeSpan.FromSeconds(30);

    private readonly RunFolderLock _lock;

    /// <summary>Reads the options (validated at start-up) and, when resuming, the run folder's <c>config.json</c>.</summary>
    public RunSetup(
        IOptions<ParameterServerOptions> server,
        IOptions<A3cHyperparameters> hyperparameters,
        IOptions<EvaluationOptions> evaluation,
        ILogger<RunSetup> logger)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(logger);
        Server = server.Value;
        Folder = new RunFolder(Server.RunDirectory);
        _lock = RunFolderLock.Acquire(Folder.Path, FolderLockWait);
        try
        {
            SnapshotsDirectory = Path.Combine(Folder.Path, SnapshotsFolderName);
            Resuming = File.Exists(Folder.Checkpoint);

            var configured = new RunSettings(hyperparameters.Value.Clone(), checked((int)Server.Seed), evaluation.Value);
            configured.Hyperparameters.Validate();
            configured.Evaluation.Validate();
            if (Resuming && File.Exists(Folder.ConfigJson))
            {
                Settings = RunSettings.Load(Folder.ConfigJson);
                var differences = Differences(configured, Settings);
                if (differences.Count > 0)
                {
                    logger.LogWarning(
                        "Resuming {RunDirectory} with the settings in its config.json; configuration differs in {Differences} (ignored).",
                        Folder.Path, string.Join(", ", differences));
                }
            }
            else
            {
                Settings = configured;
            }
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>The server's own options (budgets, tokens, staleness, checkpoints).</summary>
    public ParameterServerOptions Server { get; }

    /// <summary>The run folder.</summary>
    public RunFolder Folder { get; }

    /// <summary>Where policy snapshots are kept.</summary>
    public string SnapshotsDirectory { get; }

    /// <summary>True when the run folder holds a checkpoint to resume from.</summary>
    public bool Resuming { get; }

    /// <summary>Hyper-parameters, seed and evaluation in force (written to <c>config.json</c> for a new run).</summary>
    public RunSettings Settings { get; }

    /// <summary>The hyper-parameters in force.</summary>
    public A3cHyperparameters Hyperparameters => Settings.Hyperparameters;

    /// <summary>The evaluation protocol in force.</summary>
    public EvaluationOptions Evaluation => Settings.Evaluation;

    /// <summary>The seed of the run (initial weights; sampling streams are derived from it).</summary>
    public int Seed => Settings.Seed;

    /// <summary>Releases the run folder (when the host is disposed, after the final checkpoint).</summary>
    public void Dispose() => _lock.Dispose();

    private static List<string> Differences(RunSettings configured, RunSettings stored)
    {
        var differences = new List<string>();
        Compare("A3c", configured.Hyperparameters, stored.Hyperparameters, differences);
        Compare("Evaluation", configured.Evaluation, stored.Evaluation, differences);
        if (configured.Seed != stored.Seed)
        {
            differences.Add($"ParameterServer:Seed ({configured.Seed} configured, {stored.Seed} in the run)");
        }

        return differences;
    }

    private static void Compare<T>(string section, T configured, T stored, List<string> differences)
    {
        using var left = JsonDocument.Parse(JsonSerializer.Serialize(configured, RunJson.Options));
        using var right = JsonDocument.Parse(JsonSerializer.Serialize(stored, RunJson.Options));
        foreach (var property in left.RootElement.EnumerateObject())
        {
            if (!right.RootElement.TryGetProperty(property.Name, out var other) || other.GetRawText() != property.Value.GetRawText())
            {
                differences.Add($"{section}:{property.Name} ({property.Value.GetRawText()} configured, {(other.ValueKind == JsonValueKind.Undefined ? "absent" : other.GetRawText())} in the run)");
            }
        }
    }
}

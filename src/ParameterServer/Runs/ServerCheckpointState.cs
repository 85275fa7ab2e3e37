using System.Text.Json;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.ParameterServer.Model;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>The model version an evaluation ran on (metrics.csv has no column for it).</summary>
/// <param name="EnvSteps">The evaluation's environment steps (its key in metrics.csv, with the wall time).</param>
/// <param name="WallSeconds">The evaluation's training time.</param>
/// <param name="ModelVersion">The version evaluated.</param>
public sealed record EvaluationVersion(long EnvSteps, double WallSeconds, long ModelVersion);

/// <summary>
/// The server's own state saved in each checkpoint's extra JSON: the idempotency ledger (so a push retried across a
/// restart is not applied twice), the versions of the evaluations, and the counts of pushes refused as stale and as
/// unsafe (absent in checkpoints written before it was counted: 0).
/// </summary>
public sealed record ServerCheckpointState(
    string Format,
    IReadOnlyList<WorkerUpdates> Ledger,
    IReadOnlyList<EvaluationVersion> Evaluations,
    long RefusedStalePushes,
    long RefusedUnsafePushes = 0)
{
    /// <summary>The <see cref="Format"/> this build writes.</summary>
    public const string CurrentFormat = "a3cgrpc.parameter-server.v1";

    /// <summary>The JSON document saved with the checkpoint.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunJson.Options);

    /// <summary>Reads the extra JSON of a checkpoint; a checkpoint without it (a single-process run) gives an empty state.</summary>
    /// <exception cref="InvalidDataException">The JSON is not this server's state.</exception>
    public static ServerCheckpointState Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new ServerCheckpointState(CurrentFormat, [], [], 0);
        }

        ServerCheckpointState? state;
        try
        {
            state = JsonSerializer.Deserialize<ServerCheckpointState>(json, RunJson.Options);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"The checkpoint's server state is unreadable: {exception.Message}", exception);
        }

        if (state is null || state.Format != CurrentFormat || state.Ledger is null || state.Evaluations is null)
        {
            throw new InvalidDataException($"The checkpoint's extra state is not '{CurrentFormat}'.");
        }

        return state;
    }
}

using System.ComponentModel.DataAnnotations;
using A3cGrpc.ServiceDefaults;

namespace A3cGrpc.Distributed.Options;

/// <summary>
/// The parameter server's options (section <see cref="SectionName"/>). The learning hyper-parameters come from
/// section <c>A3c</c> and the evaluation from <c>Evaluation</c>; where it listens from ASP.NET Core's <c>Urls</c>.
/// </summary>
public sealed class ParameterServerOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "ParameterServer";

    /// <summary>The run folder: config.json, metrics.csv, curve, checkpoint, snapshots, summary.json. Resumed if it holds a checkpoint.</summary>
    [Required]
    public string RunDirectory { get; set; } = string.Empty;

    /// <summary>The shared secret workers present as <c>authorization: Bearer ...</c> to push gradients.</summary>
    [Required]
    [MinLength(16)]
    public string PushToken { get; set; } = string.Empty;

    /// <summary>When set, the policy service also requires this bearer token.</summary>
    public string? PolicyToken { get; set; }

    /// <summary>
    /// When set, reading the model and the run (<c>DescribeModel</c>, <c>PullParameters</c>, <c>GetStatus</c>,
    /// <c>WatchStatus</c>) requires this bearer token or the push token. Unset: anyone who reaches the port may read
    /// (but <c>GetStatus</c> shows the run folder's path only to callers with one of the tokens).
    /// </summary>
    public string? ReadToken { get; set; }

    /// <summary>
    /// A port that serves only the policy (and health): a listening address on it must be among the server's URLs
    /// (e.g. <c>--urls "http://+:5000;http://+:5001"</c> with <c>PolicyPort=5001</c>), and any other service called
    /// there is refused, so a network policy can admit policy clients to that port alone. 0: no separate port (the
    /// policy is served on the main port, as it also is when this is set).
    /// </summary>
    [Range(0, 65_535)]
    public int PolicyPort { get; set; }

    /// <summary>
    /// Pushes whose gradient has a global L2 norm beyond this are refused (INVALID_ARGUMENT, reason <c>unsafe</c>)
    /// before anything is applied; 0: no bound. Real pushes stay orders of magnitude below the default; it keeps any
    /// client far from the values (~1e20 per element) that overflow Adam's float32 moments. Independent of this, a
    /// step whose result is not finite is undone and refused.
    /// </summary>
    [Range(0.0, 1e18)]
    public double MaxPushGradientNorm { get; set; } = 1e6;

    /// <summary>Seed of the initial weights of a new run.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Pushes computed on a version more than this many versions old are refused (the worker re-pulls).</summary>
    [Range(0, 1_000_000)]
    public int MaxStaleness { get; set; } = 32;

    /// <summary>Seconds between periodic checkpoints (also written at each evaluation and on shutdown).</summary>
    [Range(1, 86_400)]
    public int CheckpointIntervalSeconds { get; set; } = 60;

    /// <summary>Policy snapshots kept for pinned <c>Act</c> calls (one per checkpoint; the oldest are deleted).</summary>
    [Range(1, 10_000)]
    public int SnapshotsToKeep { get; set; } = 20;

    /// <summary>Update ids remembered per worker to recognise retried pushes.</summary>
    [Range(1, 1_000_000)]
    public int RememberedUpdateIdsPerWorker { get; set; } = 1024;

    /// <summary>Finish training (refuse further pushes) once this many environment steps were pushed; 0: no budget.</summary>
    [Range(0, long.MaxValue)]
    public long StopAtEnvironmentSteps { get; set; }

    /// <summary>Finish training after this many seconds of training time (summed over resumes); 0: no budget.</summary>
    [Range(0, double.MaxValue)]
    public double StopAtElapsedSeconds { get; set; }

    /// <summary>Finish training when an evaluation reaches the solve threshold (<c>Evaluation:SolvedThreshold</c>).</summary>
    public bool StopWhenSolved { get; set; } = true;

    /// <summary>Throws <see cref="ValidationException"/> naming every invalid value.</summary>
    public void Validate() => OptionsValidation.Validate(this, SectionName);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (PolicyToken is { Length: > 0 and < 16 })
        {
            yield return new ValidationResult("PolicyToken must be at least 16 characters when set.", [nameof(PolicyToken)]);
        }

        if (ReadToken is { Length: > 0 and < 16 })
        {
            yield return new ValidationResult("ReadToken must be at least 16 characters when set.", [nameof(ReadToken)]);
        }
    }
}

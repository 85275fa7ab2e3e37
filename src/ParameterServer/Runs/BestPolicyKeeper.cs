using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Telemetry;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// Keeps the best-evaluated policy of the run (<see cref="BestPolicyFile"/>, <c>best-policy.a3c</c>): the evaluator
/// offers each evaluated copy, and the best one is written before anything else happens, so a run that collapses
/// later still serves its best (<c>Act</c> with <c>snapshot: "best"</c>). A resumed run keeps the best it had, unless
/// that version is newer than the checkpoint (its number is about to be used again). When the run stops, the best is
/// evaluated once more on the confirmation episodes. Thread-safe.
/// </summary>
public sealed class BestPolicyKeeper
{
    private readonly Lock _gate = new();
    private readonly RunSetup _setup;
    private BestPolicy? _best;

    /// <summary>Reads the best policy a resumed run kept; a new run starts without one.</summary>
    public BestPolicyKeeper(RunSetup setup, LoadedRun run, ILogger<BestPolicyKeeper> logger)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(logger);
        _setup = setup ?? throw new ArgumentNullException(nameof(setup));
        var path = setup.Folder.BestPolicy;
        if (!File.Exists(path))
        {
            return;
        }

        if (!run.Resumed)
        {
            File.Delete(path); // from an abandoned start in this folder
            return;
        }

        using var learner = new GlobalLearner(setup.Hyperparameters, setup.Seed);
        var kept = BestPolicyFile.Load(path, learner);
        if (kept.ModelVersion > run.Totals.Version)
        {
            File.Delete(path);
            ServerLog.BestPolicyDropped(logger, kept.ModelVersion, run.Totals.Version);
            return;
        }

        _best = kept;
    }

    /// <summary>The best policy so far, or null before the first evaluation.</summary>
    public BestPolicy? Current
    {
        get
        {
            lock (_gate)
            {
                return _best;
            }
        }
    }

    /// <summary>The file that holds it.</summary>
    public string Path => _setup.Folder.BestPolicy;

    /// <summary>
    /// Keeps <paramref name="evaluated"/> (the weights of <paramref name="version"/> that <paramref name="result"/>
    /// evaluated) when its mean beats the best so far; returns true when it did.
    /// </summary>
    public bool Offer(GlobalLearner evaluated, long version, EvaluationResult result, TrainingCounters counters)
    {
        ArgumentNullException.ThrowIfNull(evaluated);
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            if (_best is not null && result.Mean <= _best.Evaluation.Mean)
            {
                return false;
            }

            BestPolicyFile.Save(Path, evaluated, counters with { ModelVersion = version }, result);
            _best = new BestPolicy(version, result);
            return true;
        }
    }

    /// <summary>Evaluates the best policy on the confirmation episodes (when the run stops); null when there is none.</summary>
    public BestPolicy? Confirm(double wallSeconds)
    {
        lock (_gate)
        {
            if (_best is null)
            {
                return null;
            }

            if (_best.Confirmation is null)
            {
                _best = BestPolicyFile.Confirm(Path, _setup.Hyperparameters, _setup.Evaluation, wallSeconds);
            }

            return _best;
        }
    }
}

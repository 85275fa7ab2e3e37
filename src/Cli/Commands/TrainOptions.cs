using System.CommandLine;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Experiments.SingleProcess;

namespace A3cGrpc.Cli.Commands;

/// <summary>What <c>a3c train</c> will do, worked out from its command line before anything runs.</summary>
/// <param name="Settings">The run's settings (a resumed run's own).</param>
/// <param name="Training">This session's seed, budgets and stop rule.</param>
/// <param name="Folder">The run folder (its config.json already written for a new run).</param>
/// <param name="Resuming">The run continues from the folder's checkpoint.</param>
/// <param name="Workers">Worker processes; 0 for the single-process trainer.</param>
/// <param name="CheckpointEverySeconds">With workers: the parameter server's checkpoint period, or its default.</param>
internal sealed record TrainPlan(
    RunSettings Settings, TrainingOptions Training, RunFolder Folder, bool Resuming, int Workers, int? CheckpointEverySeconds);

/// <summary>The options of <c>a3c train</c> (the hyper-parameters' come from <see cref="HyperparameterOptions"/>).</summary>
internal sealed class TrainOptions
{
    private static readonly TrainingOptions _trainingDefaults = new();
    private static readonly EvaluationOptions _evaluationDefaults = new();

    public TrainOptions()
    {
        MaxSteps.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is < 1)
            {
                r.AddError("--max-steps must be at least 1.");
            }
        });
        Workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 64)
            {
                r.AddError("--workers must be between 0 and 64.");
            }
        });
        CheckpointEvery.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 86_400)
            {
                r.AddError("--checkpoint-every must be between 1 and 86400 seconds.");
            }
        });
        MaxMinutes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } m && (!double.IsFinite(m) || m < 0))
            {
                r.AddError("--max-minutes must be a non-negative number (0 = no time budget).");
            }
        });
    }

    public HyperparameterOptions Hyperparameters { get; } = new();

    public Option<int> Seed { get; } = new("--seed", "-s")
    {
        Description = "Seeds the initial weights, action sampling and the training environment.",
        DefaultValueFactory = _ => _trainingDefaults.Seed,
    };

    public Option<long?> MaxSteps { get; } = new("--max-steps")
    {
        Description = "Budget in environment steps, counted over the whole run (a resumed run continues to this total). Default: none.",
    };

    public Option<double?> MaxMinutes { get; } = new("--max-minutes")
    {
        Description = $"Budget in wall-clock minutes for this session (default {_trainingDefaults.MaxDuration!.Value.TotalMinutes}; 0 = none).",
    };

    public Option<bool> KeepGoing { get; } = new("--no-stop-when-solved")
    {
        Description = "Keep training after the first evaluation with mean ≥ 800 (gym's threshold).",
    };

    public Option<long> EvalEvery { get; } = new("--eval-every")
    {
        Description = "Evaluate the deterministic policy (μ) every this many training env steps.",
        DefaultValueFactory = _ => _evaluationDefaults.EveryEnvSteps,
    };

    public Option<int> EvalEpisodes { get; } = new("--eval-episodes")
    {
        Description = "Full 1000-step episodes per evaluation, on environments with their own seeds.",
        DefaultValueFactory = _ => _evaluationDefaults.Episodes,
    };

    public Option<double> EvalMaxShare { get; } = new("--eval-max-share")
    {
        Description = "The largest share of wall-clock time evaluations may take (they are spaced out to keep within it; 1 = every --eval-every steps whatever it costs).",
        DefaultValueFactory = _ => _evaluationDefaults.MaxShare,
    };

    public Option<int> Workers { get; } = new("--workers", "-w")
    {
        Description = "Worker processes, each with its own EnvSim process, pushing to a parameter server process (default: one per core). 0 = the seed's single-process trainer.",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public Option<int?> CheckpointEvery { get; } = new("--checkpoint-every")
    {
        Description = "With workers: seconds between the parameter server's periodic checkpoints, at most what a killed server loses (the launcher restarts it from its last checkpoint). Default 60.",
    };

    public Option<string?> RunDir { get; } = new("--run-dir")
    {
        Description = "A new folder for config.json, metrics.csv, learning-curve.png, checkpoint.a3c, summary.json (default: runs/<time>-n<N>-s<seed>). A folder that already holds a run is refused: use --resume.",
    };

    public Option<string?> Resume { get; } = new("--resume")
    {
        Description = "Continue the run in this folder from its checkpoint, with the settings it started with (budgets come from this command line).",
    };

    /// <summary>Every option, in the order the help lists them.</summary>
    public IEnumerable<Option> All =>
        [Seed, MaxSteps, MaxMinutes, KeepGoing, EvalEvery, EvalEpisodes, EvalMaxShare, Workers, CheckpointEvery, RunDir, Resume, .. Hyperparameters.All];

    /// <summary>
    /// Works out the plan: everything that can be wrong with the command line is found here, before any file is
    /// written; then a new run's config.json is saved.
    /// </summary>
    public TrainPlan Resolve(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var resumeFolder = parse.GetValue(Resume);
        if (resumeFolder is not null && parse.GetValue(RunDir) is not null)
        {
            throw new ArgumentException("--resume continues the run in its own folder; it cannot be combined with --run-dir.");
        }

        var settings = resumeFolder is null ? NewSettings(parse) : ResumedSettings(resumeFolder);
        var minutes = parse.GetValue(MaxMinutes) ?? _trainingDefaults.MaxDuration!.Value.TotalMinutes;
        var training = new TrainingOptions
        {
            Seed = settings.Seed,
            MaxEnvSteps = parse.GetValue(MaxSteps),
            MaxDuration = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null,
            StopWhenSolved = !parse.GetValue(KeepGoing),
        };
        settings.Hyperparameters.Validate();
        settings.Evaluation.Validate();
        training.Validate();

        var path = resumeFolder
            ?? parse.GetValue(RunDir)
            ?? RunFolder.NewPath("runs", settings.Hyperparameters.NSteps, settings.Seed, DateTimeOffset.UtcNow);
        if (resumeFolder is null && RunFolder.HoldsARun(path))
        {
            throw new IOException($"{path} already holds a run; use --resume {path} to continue it, or choose another --run-dir.");
        }

        var folder = new RunFolder(path);
        if (resumeFolder is null)
        {
            settings.Save(folder.ConfigJson);
        }

        return new TrainPlan(settings, training, folder, resumeFolder is not null, parse.GetValue(Workers), parse.GetValue(CheckpointEvery));
    }

    private RunSettings NewSettings(ParseResult parse) =>
        new(
            Hyperparameters.Resolve(parse),
            parse.GetValue(Seed),
            new EvaluationOptions
            {
                EveryEnvSteps = parse.GetValue(EvalEvery),
                Episodes = parse.GetValue(EvalEpisodes),
                MaxShare = parse.GetValue(EvalMaxShare),
            });

    private static RunSettings ResumedSettings(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Nothing to resume: {folder} does not exist.");
        }

        var settings = RunSettings.Load(Path.Combine(folder, RunFolder.ConfigFileName));
        return File.Exists(Path.Combine(folder, RunFolder.CheckpointFileName))
            ? settings
            : throw new FileNotFoundException($"Nothing to resume in {folder}: it has no {RunFolder.CheckpointFileName}.");
    }
}

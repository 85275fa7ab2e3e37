using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using A3cGrpc.Cli.Console;
using A3cGrpc.Cli.Launcher;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Experiments.SingleProcess;
using Spectre.Console;

namespace A3cGrpc.Cli.Commands;

/// <summary>
/// <c>a3c train</c>: A3C as separate processes on this machine (a parameter server and <c>--workers</c> workers, each
/// with its own simulator process), or with <c>--workers 0</c> the seed report's single-process n-step actor-critic
/// (mode 1 with <c>--n-steps 1</c>, mode 2 with <c>--n-steps N</c>); periodic evaluation and a run folder either way.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var trainingDefaults = new TrainingOptions();
        var evaluationDefaults = new EvaluationOptions();

        var hyperparameters = new HyperparameterOptions();
        var seed = new Option<int>("--seed", "-s")
        {
            Description = "Seeds the initial weights, action sampling and the training environment.",
            DefaultValueFactory = _ => trainingDefaults.Seed,
        };
        var maxSteps = new Option<long?>("--max-steps")
        {
            Description = "Budget in environment steps, counted over the whole run (a resumed run continues to this total). Default: none.",
        };
        var maxMinutes = new Option<double?>("--max-minutes")
        {
            Description = $"Budget in wall-clock minutes for this session (default {trainingDefaults.MaxDuration!.Value.TotalMinutes}; 0 = none).",
        };
        var keepGoing = new Option<bool>("--no-stop-when-solved")
        {
            Description = "Keep training after the first evaluation with mean ≥ 800 (gym's threshold).",
        };
        var evalEvery = new Option<long>("--eval-every")
        {
            Description = "Evaluate the deterministic policy (μ) every this many training env steps.",
            DefaultValueFactory = _ => evaluationDefaults.EveryEnvSteps,
        };
        var evalEpisodes = new Option<int>("--eval-episodes")
        {
            Description = "Full 1000-step episodes per evaluation, on environments with their own seeds.",
            DefaultValueFactory = _ => evaluationDefaults.Episodes,
        };
        var evalMaxShare = new Option<double>("--eval-max-share")
        {
            Description = "The largest share of wall-clock time evaluations may take (they are spaced out to keep within it; 1 = every --eval-every steps whatever it costs).",
            DefaultValueFactory = _ => evaluationDefaults.MaxShare,
        };
        var runDir = new Option<string?>("--run-dir")
        {
            Description = "A new folder for config.json, metrics.csv, learning-curve.png, checkpoint.a3c, summary.json (default: runs/<time>-n<N>-s<seed>). A folder that already holds a run is refused: use --resume.",
        };
        var workers = new Option<int>("--workers", "-w")
        {
            Description = "Worker processes, each with its own EnvSim process, pushing to a parameter server process (default: one per core). 0 = the seed's single-process trainer.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var checkpointEvery = new Option<int?>("--checkpoint-every")
        {
            Description = "With workers: seconds between the parameter server's periodic checkpoints, at most what a killed server loses (the launcher restarts it from its last checkpoint). Default 60.",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run in this folder from its checkpoint, with the settings it started with (budgets come from this command line).",
        };

        maxSteps.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is < 1)
            {
                r.AddError("--max-steps must be at least 1.");
            }
        });
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 64)
            {
                r.AddError("--workers must be between 0 and 64.");
            }
        });
        checkpointEvery.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 86_400)
            {
                r.AddError("--checkpoint-every must be between 1 and 86400 seconds.");
            }
        });
        maxMinutes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } m && (!double.IsFinite(m) || m < 0))
            {
                r.AddError("--max-minutes must be a non-negative number (0 = no time budget).");
            }
        });
        var command = new Command("train", "Train A3C: a parameter server and workers with their own simulators as local processes (or one process with --workers 0), evaluating as it goes.")
        {
            seed, maxSteps, maxMinutes, keepGoing, evalEvery, evalEpisodes, evalMaxShare, workers, checkpointEvery, runDir, resume,
        };
        foreach (var option in hyperparameters.All)
        {
            command.Options.Add(option);
        }


        // Asynchronous on purpose: System.CommandLine registers its SIGINT/SIGTERM handling once the action has
        // returned its task, and then cancels the token the trainer watches.
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = CliApp.ConsoleFor(parse);
            Prepared prepared;
            try
            {
                prepared = Prepare(parse);
            }
            catch (Exception ex) when (ex is ArgumentException or ValidationException or InvalidDataException or InvalidOperationException
                                           or FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }

            var (settings, training, folder, resuming) = prepared;
            var workerCount = parse.GetValue(workers);
            var hyper = settings.Hyperparameters;
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"Training preset {hyper.Preset}: n = {hyper.NSteps}, {hyper.EnvironmentsPerLearner(workerCount > 0)} environments per learner, lr = {hyper.EffectiveLearningRate}, seed {settings.Seed}, {(workerCount == 0 ? "one process" : $"{workerCount} workers")}; run folder [blue]{folder.Path}[/]");
            if (workerCount == 0)
            {
                var trainer = new NStepTrainer(settings.Hyperparameters, training, settings.Evaluation, folder);
                var display = new TrainingConsole(console, TrainingConsole.IsInteractive(console));
                var summary = await Task.Run(() => display.Run(() => trainer.Run(display, resuming, cancellationToken)), CancellationToken.None);
                PrintSummary(console, summary, folder);
                return 0;
            }

            var clusterDisplay = new ClusterConsole(console, TrainingConsole.IsInteractive(console));
            var cluster = new LocalCluster(
                new LocalClusterSettings(
                    settings,
                    folder.Path,
                    workerCount,
                    training.MaxEnvSteps,
                    TimeBudgetSeconds(training, folder, resuming),
                    training.StopWhenSolved,
                    parse.GetValue(checkpointEvery)),
                clusterDisplay);
            string reason;
            try
            {
                reason = await clusterDisplay.RunAsync(() => cluster.RunAsync(cancellationToken));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }

            console.WriteLine($"Training finished: {reason}.");
            if (File.Exists(folder.SummaryJson))
            {
                PrintSummary(console, RunSummary.Load(folder.SummaryJson), folder);
            }

            return 0;
        });
        return command;

        // Everything that can be wrong with the command line is found here, before any file is written.
        Prepared Prepare(ParseResult parse)
        {
            var resumeFolder = parse.GetValue(resume);
            if (resumeFolder is not null && parse.GetValue(runDir) is not null)
            {
                throw new ArgumentException("--resume continues the run in its own folder; it cannot be combined with --run-dir.");
            }

            RunSettings settings;
            if (resumeFolder is not null)
            {
                if (!Directory.Exists(resumeFolder))
                {
                    throw new DirectoryNotFoundException($"Nothing to resume: {resumeFolder} does not exist.");
                }

                settings = RunSettings.Load(Path.Combine(resumeFolder, RunFolder.ConfigFileName));
                if (!File.Exists(Path.Combine(resumeFolder, RunFolder.CheckpointFileName)))
                {
                    throw new FileNotFoundException($"Nothing to resume in {resumeFolder}: it has no {RunFolder.CheckpointFileName}.");
                }
            }
            else
            {
                settings = new RunSettings(
                    hyperparameters.Resolve(parse),
                    parse.GetValue(seed),
                    new EvaluationOptions
                    {
                        EveryEnvSteps = parse.GetValue(evalEvery),
                        Episodes = parse.GetValue(evalEpisodes),
                        MaxShare = parse.GetValue(evalMaxShare),
                    });
            }

            var minutes = parse.GetValue(maxMinutes) ?? trainingDefaults.MaxDuration!.Value.TotalMinutes;
            var training = new TrainingOptions
            {
                Seed = settings.Seed,
                MaxEnvSteps = parse.GetValue(maxSteps),
                MaxDuration = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null,
                StopWhenSolved = !parse.GetValue(keepGoing),
            };
            settings.Hyperparameters.Validate();
            settings.Evaluation.Validate();
            training.Validate();

            var path = resumeFolder
                ?? parse.GetValue(runDir)
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

            return new Prepared(settings, training, folder, resumeFolder is not null);
        }
    }

    private sealed record Prepared(RunSettings Settings, TrainingOptions Training, RunFolder Folder, bool Resuming);

    /// <summary>
    /// The parameter server counts training time over the whole run; this session's budget is added to what a
    /// resumed run has already used (its last summary).
    /// </summary>
    private static double? TimeBudgetSeconds(TrainingOptions training, RunFolder folder, bool resuming)
    {
        if (training.MaxDuration is not { } duration)
        {
            return null;
        }

        var used = resuming && File.Exists(folder.SummaryJson) ? RunSummary.Load(folder.SummaryJson).WallSeconds : 0;
        return used + duration.TotalSeconds;
    }

    private static void PrintSummary(IAnsiConsole console, RunSummary s, RunFolder folder)
    {
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Stopped ({s.StopReason}) after {s.EnvSteps:N0} env steps, {s.Episodes} episodes, {s.Updates:N0} updates, {TimeSpan.FromSeconds(s.WallSeconds):hh\\:mm\\:ss} ({s.SessionEnvStepsPerSecond:F0} steps/s this session).");
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Best evaluation mean: {(s.BestEvaluation is { } b ? b.Mean.ToString("F1", CultureInfo.InvariantCulture) : "-")}; first mean ≥ 400: {Describe(s.FirstMeanAtLeastProgressThreshold)}; solved (≥ 800): {Describe(s.Solved)}.");
        if (s.BestPolicy is { } best)
        {
            var confirmation = best.Confirmation is { } c
                ? string.Create(CultureInfo.InvariantCulture, $"{c.Mean:F1} ± {c.Std:F1} over {c.Episodes} other episodes ({(c.Mean >= s.Evaluation.SolvedThreshold ? "solved" : "not solved")} by gym's 100-episode definition)")
                : "not evaluated again";
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"Best policy: version {best.ModelVersion} at {best.Evaluation.EnvSteps:N0} steps, evaluation mean {best.Evaluation.Mean:F1}; confirmed: {confirmation}. Kept in {folder.BestPolicy}");
        }

        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Wrote {folder.MetricsCsv}, {folder.LearningCurvePng}, {folder.Checkpoint}, {folder.SummaryJson}");
    }

    private static string Describe(Milestone? m) => m is null
        ? "not reached"
        : string.Create(CultureInfo.InvariantCulture, $"{m.Mean:F1} at {m.EnvSteps:N0} steps, {TimeSpan.FromSeconds(m.WallSeconds):hh\\:mm\\:ss}");
}

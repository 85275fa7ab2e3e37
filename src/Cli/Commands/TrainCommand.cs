using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using A3cGrpc.Cli.Console;
using A3cGrpc.Learning;
using A3cGrpc.Training.Evaluation;
using A3cGrpc.Training.Reporting;
using A3cGrpc.Training.SingleProcess;
using Spectre.Console;

namespace A3cGrpc.Cli.Commands;

/// <summary>
/// <c>a3c train</c>: the seed report's single-process n-step actor-critic (mode 1 with
/// <c>--n-steps 1</c>, mode 2 with <c>--n-steps N</c>), with periodic evaluation and a run folder.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new A3cHyperparameters();
        var trainingDefaults = new TrainingOptions();
        var evaluationDefaults = new EvaluationOptions();

        var nSteps = new Option<int>("--n-steps", "-n")
        {
            Description = $"Transitions per update (1 = the seed's single-step mode). Default {defaults.NSteps}, the seed's best run.",
            DefaultValueFactory = _ => defaults.NSteps,
        };
        var seed = new Option<int>("--seed", "-s")
        {
            Description = "Seeds the initial weights, action sampling and the training environment.",
            DefaultValueFactory = _ => trainingDefaults.Seed,
        };
        var learningRate = new Option<double?>("--learning-rate")
        {
            Description = "Adam learning rate. Default: the seed's rule, 3e-5 when n < 3, else 4e-4.",
        };
        var gamma = new Option<double>("--gamma")
        {
            Description = "Discount factor.",
            DefaultValueFactory = _ => defaults.Gamma,
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
        var runDir = new Option<string?>("--run-dir")
        {
            Description = "A new folder for config.json, metrics.csv, learning-curve.png, checkpoint.a3c, summary.json (default: runs/<time>-n<N>-s<seed>). A folder that already holds a run is refused: use --resume.",
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
        maxMinutes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } m && (!double.IsFinite(m) || m < 0))
            {
                r.AddError("--max-minutes must be a non-negative number (0 = no time budget).");
            }
        });
        var command = new Command("train", "Train the seed's n-step actor-critic in one process, evaluating as it goes.")
        {
            nSteps, seed, learningRate, gamma, maxSteps, maxMinutes, keepGoing, evalEvery, evalEpisodes, runDir, resume,
        };

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
            catch (Exception ex) when (ex is ArgumentException or ValidationException or InvalidDataException
                                           or FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }

            var (settings, trainer, folder, resuming) = prepared;
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"Training n = {settings.Hyperparameters.NSteps}, lr = {settings.Hyperparameters.EffectiveLearningRate}, seed {settings.Seed}; run folder [blue]{folder.Path}[/]");
            var display = new TrainingConsole(console, TrainingConsole.IsInteractive(console));
            var summary = await Task.Run(() => display.Run(() => trainer.Run(display, resuming, cancellationToken)), CancellationToken.None);
            PrintSummary(console, summary, folder);
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
                    new A3cHyperparameters
                    {
                        NSteps = parse.GetValue(nSteps),
                        LearningRate = parse.GetValue(learningRate),
                        Gamma = parse.GetValue(gamma),
                    },
                    parse.GetValue(seed),
                    new EvaluationOptions
                    {
                        EveryEnvSteps = parse.GetValue(evalEvery),
                        Episodes = parse.GetValue(evalEpisodes),
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
            var trainer = new NStepTrainer(settings.Hyperparameters, training, settings.Evaluation, folder);
            if (resumeFolder is null)
            {
                settings.Save(folder.ConfigJson);
            }

            return new Prepared(settings, trainer, folder, resumeFolder is not null);
        }
    }

    private sealed record Prepared(RunSettings Settings, NStepTrainer Trainer, RunFolder Folder, bool Resuming);

    private static void PrintSummary(IAnsiConsole console, RunSummary s, RunFolder folder)
    {
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Stopped ({s.StopReason}) after {s.EnvSteps:N0} env steps, {s.Episodes} episodes, {s.Updates:N0} updates, {TimeSpan.FromSeconds(s.WallSeconds):hh\\:mm\\:ss} ({s.SessionEnvStepsPerSecond:F0} steps/s this session).");
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Best evaluation mean: {(s.BestEvaluation is { } b ? b.Mean.ToString("F1", CultureInfo.InvariantCulture) : "-")}; first mean ≥ 400: {Describe(s.FirstMeanAtLeastProgressThreshold)}; solved (≥ 800): {Describe(s.Solved)}.");
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Wrote {folder.MetricsCsv}, {folder.LearningCurvePng}, {folder.Checkpoint}, {folder.SummaryJson}");
    }

    private static string Describe(Milestone? m) => m is null
        ? "not reached"
        : string.Create(CultureInfo.InvariantCulture, $"{m.Mean:F1} at {m.EnvSteps:N0} steps, {TimeSpan.FromSeconds(m.WallSeconds):hh\\:mm\\:ss}");
}

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
        var options = new TrainOptions();
        var command = new Command("train", "Train A3C: a parameter server and workers with their own simulators as local processes (or one process with --workers 0), evaluating as it goes.");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        // Asynchronous on purpose: System.CommandLine registers its SIGINT/SIGTERM handling once the action has
        // returned its task, and then cancels the token the trainer watches.
        command.SetAction((parse, cancellationToken) => RunAsync(options, parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(TrainOptions options, ParseResult parse, CancellationToken cancellationToken)
    {
        TrainPlan plan;
        try
        {
            plan = options.Resolve(parse);
        }
        catch (Exception ex) when (ex is ArgumentException or ValidationException or InvalidDataException or InvalidOperationException
                                       or FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }

        var console = CliApp.ConsoleFor(parse);
        var hyper = plan.Settings.Hyperparameters;
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Training preset {hyper.Preset}: n = {hyper.NSteps}, {hyper.EnvironmentsPerLearner(plan.Workers > 0)} environments per learner, lr = {hyper.EffectiveLearningRate}, seed {plan.Settings.Seed}, {(plan.Workers == 0 ? "one process" : $"{plan.Workers} workers")}; run folder [blue]{plan.Folder.Path}[/]");
        return plan.Workers == 0
            ? await TrainInOneProcessAsync(console, plan, cancellationToken)
            : await TrainOnALocalClusterAsync(console, plan, parse.InvocationConfiguration.Error, cancellationToken);
    }

    private static async Task<int> TrainInOneProcessAsync(IAnsiConsole console, TrainPlan plan, CancellationToken cancellationToken)
    {
        var trainer = new NStepTrainer(plan.Settings.Hyperparameters, plan.Training, plan.Settings.Evaluation, plan.Folder);
        var display = new TrainingConsole(console, TrainingConsole.IsInteractive(console));
        var summary = await Task.Run(() => display.Run(() => trainer.Run(display, plan.Resuming, cancellationToken)), CancellationToken.None);
        PrintSummary(console, summary, plan.Folder);
        return 0;
    }

    private static async Task<int> TrainOnALocalClusterAsync(IAnsiConsole console, TrainPlan plan, TextWriter error, CancellationToken cancellationToken)
    {
        var display = new ClusterConsole(console, TrainingConsole.IsInteractive(console));
        var cluster = new LocalCluster(
            new LocalClusterSettings(
                plan.Settings,
                plan.Folder.Path,
                plan.Workers,
                plan.Training.MaxEnvSteps,
                TimeBudgetSeconds(plan.Training, plan.Folder, plan.Resuming),
                plan.Training.StopWhenSolved,
                plan.CheckpointEverySeconds),
            display);
        string reason;
        try
        {
            reason = await display.RunAsync(() => cluster.RunAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }

        console.WriteLine($"Training finished: {reason}.");
        if (File.Exists(plan.Folder.SummaryJson))
        {
            PrintSummary(console, RunSummary.Load(plan.Folder.SummaryJson), plan.Folder);
        }

        return 0;
    }

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

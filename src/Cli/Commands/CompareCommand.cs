using System.CommandLine;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;

namespace A3cGrpc.Cli.Commands;

/// <summary><c>a3c compare</c>: one PNG overlaying the evaluation curves of several run folders.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs")
        {
            Description = "Run folders, each optionally labelled as LABEL=FOLDER (split at the last =; default label: the folder's name).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out", "-o")
        {
            Description = "The PNG to write.",
            Required = true,
        };
        var command = new Command("compare", "Overlay the evaluation means of several runs against env steps and wall time, in one PNG.")
        {
            runs, output,
        };
        command.SetAction(parse =>
        {
            var loaded = new List<(string Label, MetricsHistory History)>();
            foreach (var spec in parse.GetValue(runs)!)
            {
                var split = spec.LastIndexOf('='); // labels such as "n = 8" may hold '='; paths rarely do
                var folder = split >= 0 ? spec[(split + 1)..] : spec;
                var label = split >= 0 ? spec[..split] : Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
                var metrics = Path.Combine(folder, "metrics.csv");
                if (!File.Exists(metrics))
                {
                    parse.InvocationConfiguration.Error.WriteLine($"error: {folder} has no metrics.csv; is it a run folder?");
                    return 2;
                }

                try
                {
                    // Read without trimming: the comparison shows everything each run recorded.
                    loaded.Add((label, MetricsHistory.Read(metrics)));
                }
                catch (InvalidDataException ex)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"error: {ex.Message}");
                    return 2;
                }
            }

            var path = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ComparisonPlot.Save(path, loaded, new EvaluationOptions());
            parse.InvocationConfiguration.Output.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }
}

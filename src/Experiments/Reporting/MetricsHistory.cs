using System.Globalization;
using A3cGrpc.Experiments.Evaluation;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>
/// A run's history as read back from <c>metrics.csv</c>: what a resumed run needs to redraw its curve
/// and to carry its milestones over.
/// </summary>
public sealed class MetricsHistory
{
    /// <summary>Training episodes, in order.</summary>
    public List<TrainingEpisode> Episodes { get; } = [];

    /// <summary>Evaluations, in order (returns of single episodes are not kept in the CSV).</summary>
    public List<EvaluationResult> Evaluations { get; } = [];

    /// <summary>
    /// Reads <paramref name="path"/> (missing file: empty history), keeping only rows at or before
    /// <paramref name="maxEnvSteps"/>, and rewrites the file atomically with just those rows: rows past the
    /// checkpoint describe weights that no longer exist once the run resumes from it.
    /// </summary>
    public static MetricsHistory LoadAndTrim(string path, long maxEnvSteps)
    {
        if (!File.Exists(path))
        {
            return new MetricsHistory();
        }

        var (history, kept) = Parse(path, maxEnvSteps);
        var temp = path + ".tmp";
        File.WriteAllText(temp, string.Join('\n', kept) + "\n");
        File.Move(temp, path, overwrite: true);
        return history;
    }

    /// <summary>Reads every row of <paramref name="path"/> without changing the file.</summary>
    public static MetricsHistory Read(string path) => Parse(path, long.MaxValue).History;

    private static (MetricsHistory History, List<string> Kept) Parse(string path, long maxEnvSteps)
    {
        var history = new MetricsHistory();

        var kept = new List<string> { MetricsCsvWriter.Header };
        var lines = File.ReadAllText(path).Split('\n');

        // Every row is written whole and newline-terminated, so text after the last newline is a row torn by
        // a crash mid-write: it is dropped rather than making the run impossible to resume.
        var complete = lines.Length - 1;
        var lineNumber = 0;
        foreach (var line in lines.Take(complete))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line != MetricsCsvWriter.Header)
                {
                    throw new InvalidDataException($"{path}: unexpected header '{line}'; expected '{MetricsCsvWriter.Header}'.");
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            if (f.Length != 11)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 11 columns, found {f.Length}.");
            }

            var envSteps = ParseLong(f[1], path, lineNumber);
            if (envSteps > maxEnvSteps)
            {
                continue;
            }

            switch (f[0])
            {
                case "train":
                    history.Episodes.Add(new TrainingEpisode(
                        ParseLong(f[3], path, lineNumber), envSteps, ParseDouble(f[2], path, lineNumber), ParseDouble(f[4], path, lineNumber)));
                    break;
                case "eval":
                    history.Evaluations.Add(new EvaluationResult(
                        envSteps,
                        ParseLong(f[3], path, lineNumber),
                        ParseDouble(f[2], path, lineNumber),
                        (int)ParseLong(f[5], path, lineNumber),
                        ParseDouble(f[6], path, lineNumber),
                        ParseDouble(f[7], path, lineNumber),
                        ParseDouble(f[8], path, lineNumber),
                        ParseDouble(f[9], path, lineNumber),
                        ParseDouble(f[10], path, lineNumber),
                        []));
                    break;
                default:
                    throw new InvalidDataException($"{path}:{lineNumber}: unknown row kind '{f[0]}'.");
            }

            kept.Add(line);
        }

        return (history, kept);
    }

    private static long ParseLong(string text, string path, int line) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}:{line}: '{text}' is not an integer.");

    private static double ParseDouble(string text, string path, int line) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}:{line}: '{text}' is not a number.");
}

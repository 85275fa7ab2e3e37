using System.Globalization;
using A3cGrpc.Experiments.Evaluation;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>
/// Appends every training episode and every evaluation to <c>metrics.csv</c>, one row each, flushed as
/// written so that a killed run keeps its history. A resumed run appends to the same file.
/// </summary>
public sealed class MetricsCsvWriter : IDisposable
{
    /// <summary>The header row; <c>kind</c> is <c>train</c> or <c>eval</c>, unused columns stay empty.</summary>
    public const string Header =
        "kind,env_steps,wall_seconds,episode,return,eval_episodes,eval_mean,eval_std,eval_min,eval_max,eval_seconds";

    private readonly StreamWriter _writer;

    /// <summary>Opens <paramref name="path"/> for appending, writing the header if the file is new or empty.</summary>
    public MetricsCsvWriter(string path)
    {
        var isNew = !File.Exists(path) || new FileInfo(path).Length == 0;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            NewLine = "\n",
        };
        if (isNew)
        {
            _writer.WriteLine(Header);
            _writer.Flush();
        }
    }

    /// <summary>Writes one training-episode row.</summary>
    public void Write(TrainingEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        _writer.WriteLine(string.Join(',',
            "train", Format(episode.EnvSteps), Format(episode.WallSeconds), Format(episode.Episode), Format(episode.Return),
            string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty));
        _writer.Flush();
    }

    /// <summary>Writes one evaluation row.</summary>
    public void Write(EvaluationResult evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        _writer.WriteLine(string.Join(',',
            "eval", Format(evaluation.EnvSteps), Format(evaluation.WallSeconds), Format(evaluation.TrainingEpisodes), string.Empty,
            Format(evaluation.Episodes), Format(evaluation.Mean), Format(evaluation.Std), Format(evaluation.Min),
            Format(evaluation.Max), Format(evaluation.DurationSeconds)));
        _writer.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}

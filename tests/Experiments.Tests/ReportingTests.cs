using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;

namespace A3cGrpc.Experiments.Tests;

public sealed class ReportingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("a3c-reporting-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void LoadAndTrim_AfterWriting_ReadsBackEveryRowUpToTheCheckpoint()
    {
        var path = Path.Combine(_folder, "metrics.csv");
        using (var writer = new MetricsCsvWriter(path))
        {
            writer.Write(new TrainingEpisode(1, 1000, 0.5, -987.25));
            writer.Write(EvaluationResult.FromReturns([-990.0, -980.0], 1500, 1, 0.75, 0.01));
            writer.Write(new TrainingEpisode(2, 2000, 1.0, -512.125));
            writer.Write(new TrainingEpisode(3, 3000, 1.5, 12.5));
        }

        var history = MetricsHistory.LoadAndTrim(path, maxEnvSteps: 2000);

        Assert.Equal([1L, 2L], history.Episodes.Select(e => e.Episode));
        Assert.Equal(-512.125, history.Episodes[1].Return);
        var evaluation = Assert.Single(history.Evaluations);
        Assert.Equal(-985.0, evaluation.Mean);
        Assert.Equal(5.0, evaluation.Std);
        Assert.Equal(1500, evaluation.EnvSteps);
        Assert.Equal(4, File.ReadAllLines(path).Length); // header + the three rows kept; the row past 2000 steps is gone
    }

    [Fact]
    public void LoadAndTrim_MissingFile_GivesEmptyHistory()
    {
        var history = MetricsHistory.LoadAndTrim(Path.Combine(_folder, "none.csv"), long.MaxValue);

        Assert.Empty(history.Episodes);
        Assert.Empty(history.Evaluations);
    }

    [Fact]
    public void LoadAndTrim_MalformedRow_ThrowsWithLineNumber()
    {
        var path = Path.Combine(_folder, "metrics.csv");
        File.WriteAllText(path, MetricsCsvWriter.Header + "\ntrain,100,0.1,1,not-a-number,,,,,,\n");

        var error = Assert.Throws<InvalidDataException>(() => MetricsHistory.LoadAndTrim(path, long.MaxValue));

        Assert.Contains(":2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_LearningCurve_WritesTwoPanelPng()
    {
        var path = Path.Combine(_folder, "curve.png");
        TrainingEpisode[] episodes = [new(1, 1000, 1, -990), new(2, 2000, 2, -700), new(3, 3000, 3, -100)];
        EvaluationResult[] evaluations =
        [
            EvaluationResult.FromReturns([-995.0, -990.0], 1500, 1, 1.5, 0.1),
            EvaluationResult.FromReturns([-300.0, -100.0], 3000, 3, 3.0, 0.1),
        ];

        LearningCurvePlot.Save(path, "test", episodes, evaluations, new EvaluationOptions());

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        // IHDR: width and height, big-endian, at bytes 16-23.
        Assert.Equal(LearningCurvePlot.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(2 * LearningCurvePlot.PanelHeight, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.False(File.Exists(path + ".tmp"));
    }
}

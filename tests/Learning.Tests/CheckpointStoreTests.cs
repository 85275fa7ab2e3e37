namespace A3cGrpc.Learning.Tests;

public sealed class CheckpointStoreTests : IDisposable
{
    private const string ExtraJson = """{"evaluations":[{"episode":10,"score":123.5}],"note":"résumé"}""";

    private static readonly TrainingCounters _counters = new()
    {
        EnvironmentSteps = 12_345,
        Updates = 1_543,
        Episodes = 12,
        ModelVersion = 1_543,
        ElapsedSeconds = 321.5,
    };

    private readonly TempFolder _folder = new();

    public CheckpointStoreTests() => TorchRuntime.Initialize();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void SaveLoad_RoundTrip_RestoresWeightsAdamStateCountersAndExtraJson()
    {
        // Arrange
        var path = _folder.File("run.ckpt");
        using var original = Trained(seed: 1, updates: 3);
        using var restored = new GlobalLearner(new A3cHyperparameters(), seed: 2);

        // Act
        original.SaveCheckpoint(path, _counters, ExtraJson);
        var loaded = restored.LoadCheckpoint(path);

        // Assert
        TestSupport.AssertBitIdentical(original.ExportParameters(), restored.ExportParameters());
        TestSupport.AssertSameAdamState(original.Optimizer, restored.Optimizer);
        Assert.All(restored.Optimizer.ExportState(), s => Assert.Equal(3, s.Step));
        Assert.Equal(_counters, loaded.Counters);
        Assert.Equal(ExtraJson, loaded.ExtraJson);
        Assert.Equal(new OptimizerSettings(4e-4, 0.95, 0.999, 1e-8), loaded.SavedOptimizerSettings);
        Assert.InRange(loaded.SavedAtUtc, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public void SaveLoad_NormalizingModel_RestoresTheObservationStatisticsExactly()
    {
        var hyperparameters = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        var path = _folder.File("normalized.ckpt");
        using var original = new GlobalLearner(hyperparameters, seed: 1);
        var seen = TestSupport.RandomWindow(40, seed: 3).States.ToArray().Select(v => (v * 7) + 0.1f).ToArray();
        original.MergeObservations(ObservationStatistics.FromRows(seen, 5));
        using var restored = new GlobalLearner(hyperparameters, seed: 2);

        original.SaveCheckpoint(path, _counters);
        restored.LoadCheckpoint(path);

        var expected = original.Model.ObservationStatistics!;
        var actual = restored.Model.ObservationStatistics!;
        Assert.Equal(40, actual.Count);
        Assert.Equal(expected.Mean.ToArray(), actual.Mean.ToArray()); // doubles round-trip exactly
        Assert.Equal(expected.M2.ToArray(), actual.M2.ToArray());
        TestSupport.AssertBitIdentical(original.ExportParameters(), restored.ExportParameters());
    }

    [Fact]
    public void Load_StatisticsPresenceDiffersFromTheModel_ThrowsSayingSo()
    {
        var normalizing = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        var plain = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        plain.NormalizeObservations = false;
        var withStatistics = _folder.File("with.ckpt");
        var without = _folder.File("without.ckpt");
        using (var learner = new GlobalLearner(normalizing, seed: 1))
        {
            learner.SaveCheckpoint(withStatistics, _counters);
        }

        using (var learner = new GlobalLearner(plain, seed: 1))
        {
            learner.SaveCheckpoint(without, _counters);
        }

        using var plainLearner = new GlobalLearner(plain, seed: 1);
        using var normalizingLearner = new GlobalLearner(normalizing, seed: 1);
        var unexpected = Assert.Throws<InvalidDataException>(() => plainLearner.LoadCheckpoint(withStatistics));
        var missing = Assert.Throws<InvalidDataException>(() => normalizingLearner.LoadCheckpoint(without));

        Assert.Contains("does not normalise", unexpected.Message, StringComparison.Ordinal);
        Assert.Contains("holds no observation statistics", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FormatVersionOneFile_StillLoadsIntoTheSeedModel()
    {
        // Version 1 (before observation statistics) differs only in the version number and the header's fields.
        var path = _folder.File("v1.ckpt");
        using var original = Trained(seed: 1, updates: 2);
        original.SaveCheckpoint(path, _counters);
        RewriteAsVersionOne(path);
        using var restored = new GlobalLearner(new A3cHyperparameters(), seed: 2);

        restored.LoadCheckpoint(path);

        TestSupport.AssertBitIdentical(original.ExportParameters(), restored.ExportParameters());
    }

    /// <summary>Sets the format version to 1 and recomputes the trailing SHA-256 (the header has no statistics for the seed's model).</summary>
    private static void RewriteAsVersionOne(string path)
    {
        var bytes = File.ReadAllBytes(path);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 1);
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void SaveLoad_ThenSameUpdate_BitIdenticalToUninterruptedRun()
    {
        // Arrange: one learner keeps going; another is restored from its checkpoint.
        var path = _folder.File("resume.ckpt");
        using var uninterrupted = Trained(seed: 1, updates: 3);
        uninterrupted.SaveCheckpoint(path, _counters);
        using var resumed = new GlobalLearner(new A3cHyperparameters(), seed: 5);
        resumed.LoadCheckpoint(path);
        var next = TestSupport.RandomWindow(8, seed: 100);

        // Act
        var expected = uninterrupted.Update(next);
        var actual = resumed.Update(next);

        // Assert
        TestSupport.AssertBitIdentical(uninterrupted.ExportParameters(), resumed.ExportParameters());
        TestSupport.AssertSameAdamState(uninterrupted.Optimizer, resumed.Optimizer);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingThePath()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var path = _folder.File("absent.ckpt");

        var exception = Assert.Throws<FileNotFoundException>(() => learner.LoadCheckpoint(path));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OneByteFlipped_ThrowsCorrupt()
    {
        var path = _folder.File("flipped.ckpt");
        using var learner = Trained(seed: 1, updates: 1);
        learner.SaveCheckpoint(path, _counters);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var exception = Assert.Throws<InvalidDataException>(() => learner.LoadCheckpoint(path));

        Assert.Contains("corrupt", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedFile_ThrowsCorrupt()
    {
        var path = _folder.File("truncated.ckpt");
        using var learner = Trained(seed: 1, updates: 1);
        learner.SaveCheckpoint(path, _counters);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 1000)]);

        Assert.Throws<InvalidDataException>(() => learner.LoadCheckpoint(path));
    }

    [Fact]
    public void Load_NotACheckpoint_ThrowsInvalidData()
    {
        var path = _folder.File("notes.txt");
        File.WriteAllText(path, "just some text, certainly not a checkpoint of anything at all");
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);

        var exception = Assert.Throws<InvalidDataException>(() => learner.LoadCheckpoint(path));

        Assert.Contains("not an A3cGrpc checkpoint", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherArchitecture_ThrowsNamingTheParameterAndChangesNothing()
    {
        // Arrange: saved with the seed's [512, 256]; loaded into a [64, 32] network.
        var path = _folder.File("big.ckpt");
        using (var big = Trained(seed: 1, updates: 1))
        {
            big.SaveCheckpoint(path, _counters);
        }

        using var small = new GlobalLearner(new A3cHyperparameters { HiddenSizes = [64, 32] }, seed: 2);
        small.Update(TestSupport.RandomWindow(4, seed: 1));
        var weights = small.ExportParameters();
        var state = small.Optimizer.ExportState();

        // Act
        var exception = Assert.Throws<InvalidDataException>(() => small.LoadCheckpoint(path));

        // Assert
        Assert.Contains("'trunk.0.weight'", exception.Message, StringComparison.Ordinal);
        TestSupport.AssertBitIdentical(weights, small.ExportParameters());
        Assert.Equal(state.Select(s => s.Step), small.Optimizer.ExportState().Select(s => s.Step));
    }

    [Fact]
    public void Save_FolderMissing_ThrowsClearlyAndWritesNothing()
    {
        var folder = Path.Combine(_folder.Path, "not-there");
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);

        var exception = Assert.Throws<DirectoryNotFoundException>(() => learner.SaveCheckpoint(Path.Combine(folder, "x.ckpt"), _counters));

        Assert.Contains(folder, exception.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void Save_RenameFails_LeavesNoTemporaryFile()
    {
        // The target is an existing folder: the data is written to a temporary file, the final rename fails.
        var target = Path.Combine(_folder.Path, "occupied");
        Directory.CreateDirectory(target);
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);

        Assert.ThrowsAny<IOException>(() => learner.SaveCheckpoint(target, _counters));

        Assert.Equal([target], Directory.EnumerateFileSystemEntries(_folder.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Fact]
    public void Save_ExistingCheckpoint_IsReplacedAndNoTemporaryFileRemains()
    {
        var path = _folder.File("latest.ckpt");
        using var learner = Trained(seed: 1, updates: 1);
        learner.SaveCheckpoint(path, _counters);
        learner.Update(TestSupport.RandomWindow(8, seed: 50));

        learner.SaveCheckpoint(path, _counters with { Updates = 2 });

        using var restored = new GlobalLearner(new A3cHyperparameters(), seed: 3);
        Assert.Equal(2, restored.LoadCheckpoint(path).Counters.Updates);
        TestSupport.AssertBitIdentical(learner.ExportParameters(), restored.ExportParameters());
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Theory]
    [InlineData(float.PositiveInfinity, true)]
    [InlineData(float.NaN, false)]
    public void Save_NonFiniteState_ThrowsAndKeepsTheLastGoodCheckpoint(float value, bool inMoment)
    {
        // Arrange: a good checkpoint on disk, then a model whose second moment or weight went non-finite.
        var path = _folder.File("latest.ckpt");
        using var learner = Trained(seed: 1, updates: 1);
        learner.SaveCheckpoint(path, _counters);
        var good = File.ReadAllBytes(path);
        var entry = learner.Optimizer.Entries[1];
        using (TorchSharp.torch.no_grad())
        using (var first = (inMoment ? entry.ExpAvgSq : entry.Parameter).view(-1)[0])
        {
            first.fill_(value);
        }

        // Act
        var exception = Assert.Throws<InvalidOperationException>(() => learner.SaveCheckpoint(path, _counters with { Updates = 2 }));

        // Assert
        Assert.Contains("non-finite", exception.Message, StringComparison.Ordinal);
        Assert.Contains(entry.Name, exception.Message, StringComparison.Ordinal);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void Save_InvalidExtraJson_ThrowsAndWritesNothing()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);

        Assert.Throws<ArgumentException>(() => learner.SaveCheckpoint(_folder.File("x.ckpt"), _counters, "{not json"));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void Save_NegativeCounter_Throws()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);

        Assert.Throws<ArgumentException>(() => learner.SaveCheckpoint(_folder.File("x.ckpt"), _counters with { Episodes = -1 }));
    }

    [Fact]
    public void Save_OptimizerOfAnotherModel_Throws()
    {
        using var first = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        using var second = new GlobalLearner(new A3cHyperparameters(), seed: 2);

        Assert.Throws<ArgumentException>(() => CheckpointStore.Save(_folder.File("x.ckpt"), first.Model, second.Optimizer, _counters));
    }

    [Fact]
    public void Load_OptimizerOfAnotherModel_Throws()
    {
        var path = _folder.File("ok.ckpt");
        using var learner = Trained(seed: 1, updates: 1);
        learner.SaveCheckpoint(path, _counters);
        using var other = new GlobalLearner(new A3cHyperparameters(), seed: 2);

        Assert.Throws<ArgumentException>(() => CheckpointStore.Load(path, learner.Model, other.Optimizer));
    }

    private static GlobalLearner Trained(long seed, int updates)
    {
        var learner = new GlobalLearner(new A3cHyperparameters(), seed);
        for (var i = 0; i < updates; i++)
        {
            learner.Update(TestSupport.RandomWindow(8, seed: i + 1));
        }

        return learner;
    }
}

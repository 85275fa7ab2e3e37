namespace A3cGrpc.Learning.Tests;

/// <summary>Shared builders and comparisons for the learning tests.</summary>
internal static class TestSupport
{
    /// <summary>The seed's defaults, optionally changed.</summary>
    public static A3cHyperparameters Hyperparameters(Action<A3cHyperparameters>? configure = null)
    {
        var hyperparameters = new A3cHyperparameters();
        configure?.Invoke(hyperparameters);
        return hyperparameters;
    }

    /// <summary>A window of <paramref name="n"/> transitions whose next states chain (s'_i = s_{i+1}), from a seeded generator.</summary>
    public static NStepWindow RandomWindow(int n, int seed, int observationSize = 5, int actionSize = 1)
    {
        var random = new Random(seed);
        var trajectory = new float[(n + 1) * observationSize];
        for (var i = 0; i < trajectory.Length; i++)
        {
            trajectory[i] = (float)((random.NextDouble() * 2.0) - 1.0);
        }

        var actions = new float[n * actionSize];
        for (var i = 0; i < actions.Length; i++)
        {
            // Some unclipped samples fall outside [-1, 1], as they do in training.
            actions[i] = (float)((random.NextDouble() * 3.0) - 1.5);
        }

        var rewards = new float[n];
        for (var i = 0; i < n; i++)
        {
            rewards[i] = (float)((random.NextDouble() * 2.0) - 1.0);
        }

        return new NStepWindow(
            observationSize,
            actionSize,
            trajectory.AsSpan(0, n * observationSize).ToArray(),
            actions,
            rewards,
            trajectory.AsSpan(observationSize, n * observationSize).ToArray());
    }

    /// <summary>Asserts that two parameter sets have the same names, shapes and bit-identical values.</summary>
    public static void AssertBitIdentical(NamedTensors expected, NamedTensors actual)
    {
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach (var tensor in expected)
        {
            var other = actual[tensor.Name];
            Assert.Equal(tensor.Shape, other.Shape);
            Assert.True(
                tensor.Data.AsSpan().SequenceEqual(other.Data),
                $"Values of '{tensor.Name}' differ (first index {FirstDifference(tensor.Data, other.Data)}).");
        }
    }

    /// <summary>Asserts that two Adam states are bit-identical.</summary>
    public static void AssertSameAdamState(AdamOptimizer expected, AdamOptimizer actual)
    {
        var left = expected.ExportState();
        var right = actual.ExportState();
        Assert.Equal(left.Select(s => s.Name), right.Select(s => s.Name));
        for (var i = 0; i < left.Count; i++)
        {
            Assert.Equal(left[i].Step, right[i].Step);
            Assert.True(left[i].ExpAvg.AsSpan().SequenceEqual(right[i].ExpAvg), $"exp_avg of '{left[i].Name}' differs.");
            Assert.True(left[i].ExpAvgSq.AsSpan().SequenceEqual(right[i].ExpAvgSq), $"exp_avg_sq of '{left[i].Name}' differs.");
        }
    }

    private static int FirstDifference(float[] left, float[] right)
    {
        var length = Math.Min(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            if (BitConverter.SingleToInt32Bits(left[i]) != BitConverter.SingleToInt32Bits(right[i]))
            {
                return i;
            }
        }

        return length;
    }
}

/// <summary>A unique folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "a3c-learning-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>
/// Tests that read LibTorch's global generator run alone (after the parallel tests), so nobody else draws from it
/// in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomStateGroup
{
    public const string Name = "Global random state";
}

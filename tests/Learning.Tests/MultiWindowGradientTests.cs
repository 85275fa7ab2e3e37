namespace A3cGrpc.Learning.Tests;

/// <summary>A worker stepping K environments in lock step turns K windows into one gradient.</summary>
public sealed class MultiWindowGradientTests
{
    [Fact]
    public void SeveralWindows_GradientIsTheSumOfEachWindowsGradient()
    {
        using var worker = new GradientLearner(TestSupport.Hyperparameters(h => h.HiddenSizes = [32, 16]), seed: 5);
        NStepWindow[] windows = [TestSupport.RandomWindow(8, 1), TestSupport.RandomWindow(8, 2), TestSupport.RandomWindow(3, 3)];

        var together = worker.CreateGradientBuffers();
        var statistics = worker.ComputeGradientsInto(windows, together);

        var separate = windows.Select(w => worker.ComputeGradients(w, out _)).ToArray();
        foreach (var tensor in together)
        {
            for (var i = 0; i < tensor.Data.Length; i++)
            {
                var sum = separate.Sum(g => (double)g[tensor.Name].Data[i]);
                Assert.True(
                    Math.Abs(tensor.Data[i] - sum) <= 1e-4 * (1 + Math.Abs(sum)),
                    $"{tensor.Name}[{i}]: together {tensor.Data[i]}, sum of windows {sum}");
            }
        }

        Assert.Equal(19, statistics.Steps);
        var rewardSum = windows.Sum(w => w.Rewards.ToArray().Sum(r => (double)r));
        Assert.Equal(rewardSum, statistics.RewardSum, 9);
    }

    [Fact]
    public void SeveralWindows_LossIsTheSumOfEachWindowsLoss()
    {
        using var worker = new GradientLearner(TestSupport.Hyperparameters(h => h.HiddenSizes = [32, 16]), seed: 6);
        NStepWindow[] windows = [TestSupport.RandomWindow(8, 11), TestSupport.RandomWindow(8, 12)];
        var together = worker.ComputeGradientsInto(windows, worker.CreateGradientBuffers());
        var sum = windows.Sum(w =>
        {
            worker.ComputeGradients(w, out var s);
            return s.TotalLoss;
        });
        Assert.Equal(sum, together.TotalLoss, 3);
    }

    [Fact]
    public void OneWindowInAList_IsBitIdenticalToTheSingleWindowGradient()
    {
        using var worker = new GradientLearner(TestSupport.Hyperparameters(), seed: 7);
        var window = TestSupport.RandomWindow(8, 21);
        var listed = worker.CreateGradientBuffers();
        worker.ComputeGradientsInto([window], listed);
        TestSupport.AssertBitIdentical(worker.ComputeGradients(window), listed);
    }

    [Fact]
    public void NoWindows_Throws()
    {
        using var worker = new GradientLearner(TestSupport.Hyperparameters(h => h.HiddenSizes = [8]), seed: 1);
        Assert.Throws<ArgumentException>(() => worker.ComputeGradientsInto(Array.Empty<NStepWindow>(), worker.CreateGradientBuffers()));
    }
}

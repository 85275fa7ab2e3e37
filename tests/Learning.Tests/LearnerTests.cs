namespace A3cGrpc.Learning.Tests;

public sealed class LearnerTests
{
    public LearnerTests() => TorchRuntime.Initialize();

    [Fact]
    public void Constructor_Hyperparameters_ConfigureAdamAsTheSeed()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        using var singleStep = new GlobalLearner(new A3cHyperparameters { NSteps = 1 }, seed: 1);

        Assert.Equal(4e-4, learner.Optimizer.LearningRate);
        Assert.Equal(0.95, learner.Optimizer.Beta1);
        Assert.Equal(0.999, learner.Optimizer.Beta2);
        Assert.Equal(1e-8, learner.Optimizer.Epsilon);
        Assert.Equal(3e-5, singleStep.Optimizer.LearningRate);
    }

    [Fact]
    public void Update_Window_ChangesWeightsAndReportsStatistics()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var before = learner.ExportParameters();

        var statistics = learner.Update(TestSupport.RandomWindow(8, seed: 2));

        var after = learner.ExportParameters();
        Assert.All(before, t => Assert.False(t.Data.AsSpan().SequenceEqual(after[t.Name].Data), $"{t.Name} did not move."));
        Assert.Equal(8, statistics.Loss.Steps);
        Assert.True(statistics.GradientNorm > 0);
        Assert.True(double.IsFinite(statistics.Loss.TotalLoss));
        Assert.Equal(statistics.Loss.ActorLoss + (0.5 * statistics.Loss.CriticLoss), statistics.Loss.TotalLoss, 5);
    }

    [Fact]
    public void ComputeGradientsThenApplyGradients_SameWindowsAndWeights_BitIdenticalToLocalUpdate()
    {
        // Arrange: a local learner, and a server learner with a worker, all from the same initial weights.
        var hyperparameters = new A3cHyperparameters();
        using var local = new GlobalLearner(hyperparameters, seed: 7);
        using var server = new GlobalLearner(hyperparameters, seed: 7);
        using var worker = new GradientLearner(hyperparameters, seed: 99);
        var gradients = worker.CreateGradientBuffers();

        // Act: three windows (so Adam's moments and bias corrections are exercised), the last one partial.
        foreach (var (n, seed) in new[] { (8, 1), (8, 2), (3, 3) })
        {
            var window = TestSupport.RandomWindow(n, seed);
            local.Update(window);

            worker.ImportParameters(server.ExportParameters());
            worker.ComputeGradientsInto(window, gradients);
            server.ApplyGradients(gradients);
        }

        // Assert
        TestSupport.AssertBitIdentical(local.ExportParameters(), server.ExportParameters());
        TestSupport.AssertSameAdamState(local.Optimizer, server.Optimizer);
    }

    [Fact]
    public void ComputeGradients_CalledTwice_SameGradientsAndUnchangedWeights()
    {
        using var worker = new GradientLearner(new A3cHyperparameters(), seed: 3);
        var window = TestSupport.RandomWindow(5, seed: 4);
        var weights = worker.ExportParameters();

        var first = worker.ComputeGradients(window, out var statistics);
        var second = worker.ComputeGradients(window);

        TestSupport.AssertBitIdentical(first, second);
        TestSupport.AssertBitIdentical(weights, worker.ExportParameters());
        Assert.Equal(5, statistics.Steps);
        Assert.True(first.L2Norm() > 0);
    }

    [Fact]
    public void ApplyGradients_FirstStep_MovesEachWeightByTheLearningRate()
    {
        // Adam's first step is lr * m_hat / (sqrt(v_hat) + eps) = lr * g / (|g| + eps): with g = 0.5 everywhere,
        // every weight decreases by lr * 0.5 / (0.5 + 1e-8) = 4e-4 (to float precision).
        using var server = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var before = server.ExportParameters();
        var gradients = new NamedTensors(before.Select(t => new NamedTensor(t.Name, t.Shape, Enumerable.Repeat(0.5f, t.Data.Length).ToArray())));

        var step = server.ApplyGradients(gradients);

        var after = server.ExportParameters();
        foreach (var tensor in before)
        {
            for (var i = 0; i < tensor.Data.Length; i += 97)
            {
                Assert.Equal(tensor.Data[i] - 4e-4, after[tensor.Name].Data[i], tolerance: 1e-7);
            }
        }

        Assert.True(step.Applied);
        Assert.Equal(0.5 * Math.Sqrt(before.ElementCount), step.GradientNorm, 6);
    }

    [Theory]
    [InlineData(1e21f)]
    [InlineData(1e30f)]
    [InlineData(float.MaxValue)]
    public void ApplyGradients_HugeFiniteGradient_IsUndoneAndLaterStepsStillLearn(float value)
    {
        // Arrange: the seed's settings (no gradient clipping): 1e21 squared overflows Adam's float32 second moment to
        // +Inf, after which every later step would leave the weights unchanged (the probe's finding).
        using var server = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        server.Update(TestSupport.RandomWindow(8, seed: 1));
        using var reference = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        reference.Update(TestSupport.RandomWindow(8, seed: 1));
        var weights = server.ExportParameters();
        var huge = new NamedTensors(weights.Select(t => new NamedTensor(t.Name, t.Shape, Enumerable.Repeat(value, t.Data.Length).ToArray())));

        // Act
        var step = server.ApplyGradients(huge);

        // Assert: nothing changed (weights, moments, step counts), and a normal gradient then moves the weights
        // exactly as it moves those of a learner that never saw the huge one.
        Assert.False(step.Applied);
        TestSupport.AssertBitIdentical(weights, server.ExportParameters());
        TestSupport.AssertSameAdamState(reference.Optimizer, server.Optimizer);
        Assert.True(server.Optimizer.StateIsFinite());
        using var worker = new GradientLearner(new A3cHyperparameters(), seed: 5);
        worker.ImportParameters(weights);
        var normal = worker.ComputeGradients(TestSupport.RandomWindow(8, seed: 2));
        Assert.True(server.ApplyGradients(normal).Applied);
        reference.ApplyGradients(normal);
        TestSupport.AssertBitIdentical(reference.ExportParameters(), server.ExportParameters());
        Assert.NotEqual(weights["value.weight"].Data, server.ExportParameters()["value.weight"].Data);
    }

    [Fact]
    public void ApplyGradients_ModerateGradient_IsKept()
    {
        // 1e20 squared stays below float32's maximum: the probe found it harmless, and it must still be applied.
        using var server = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var weights = server.ExportParameters();
        var large = new NamedTensors(weights.Select(t => new NamedTensor(t.Name, t.Shape, Enumerable.Repeat(1e18f, t.Data.Length).ToArray())));

        Assert.True(server.ApplyGradients(large).Applied);
        Assert.True(server.Optimizer.StateIsFinite());
    }

    [Fact]
    public void ApplyGradients_InvalidGradient_ThrowsAndChangesNothing()
    {
        using var server = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        server.Update(TestSupport.RandomWindow(8, seed: 1));
        using var reference = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        reference.Update(TestSupport.RandomWindow(8, seed: 1));
        var weights = server.ExportParameters();
        var gradients = server.ExportParameters();
        gradients["value.weight"].Data[3] = float.NaN;

        var exception = Assert.Throws<ArgumentException>(() => server.ApplyGradients(gradients));

        Assert.Contains("'value.weight'", exception.Message, StringComparison.Ordinal);
        TestSupport.AssertBitIdentical(weights, server.ExportParameters());
        TestSupport.AssertSameAdamState(reference.Optimizer, server.Optimizer);
    }

    [Fact]
    public void ComputeGradientsInto_BuffersOfAnotherShape_Throws()
    {
        using var worker = new GradientLearner(new A3cHyperparameters(), seed: 1);
        using var small = new GradientLearner(new A3cHyperparameters { HiddenSizes = [8, 4] }, seed: 1);

        Assert.Throws<ArgumentException>(() => worker.ComputeGradientsInto(TestSupport.RandomWindow(2, 1), small.CreateGradientBuffers()));
    }

    [Fact]
    public void Update_AfterDispose_Throws()
    {
        var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        learner.Dispose();

        Assert.Throws<ObjectDisposedException>(() => learner.Update(TestSupport.RandomWindow(1, 1)));
    }
}

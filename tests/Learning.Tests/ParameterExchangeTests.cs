namespace A3cGrpc.Learning.Tests;

public sealed class ParameterExchangeTests
{
    public ParameterExchangeTests() => TorchRuntime.Initialize();

    [Fact]
    public void ExportImport_IntoDifferentlySeededModel_GivesBitIdenticalWeights()
    {
        using var source = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        using var target = new GradientLearner(new A3cHyperparameters(), seed: 2);
        var exported = source.ExportParameters();

        target.ImportParameters(exported);

        TestSupport.AssertBitIdentical(exported, target.ExportParameters());
        Assert.Equal(
            ["trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias", "mu.weight", "mu.bias", "sigma.weight", "sigma.bias", "value.weight", "value.bias"],
            exported.Select(t => t.Name));
        Assert.Equal(new[] { 512, 5 }, exported["trunk.0.weight"].Shape);
    }

    [Fact]
    public void Export_ThenModelChanges_ExportedCopyDoesNot()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var exported = learner.ExportParameters();
        var copy = exported.Clone();

        learner.Update(TestSupport.RandomWindow(8, seed: 1));

        TestSupport.AssertBitIdentical(copy, exported);
    }

    [Fact]
    public void ExportParametersInto_ExistingBuffers_ReusesTheArrays()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        using var other = new GlobalLearner(new A3cHyperparameters(), seed: 2);
        var buffers = other.ExportParameters();
        var array = buffers["trunk.0.weight"].Data;

        learner.ExportParametersInto(buffers);

        Assert.Same(array, buffers["trunk.0.weight"].Data);
        TestSupport.AssertBitIdentical(learner.ExportParameters(), buffers);
    }

    [Fact]
    public void Import_UnknownName_ThrowsNamingIt()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var parameters = new NamedTensors(learner.ExportParameters().Append(new NamedTensor("bogus.weight", [1], [0f])));

        var exception = Assert.Throws<ArgumentException>(() => learner.ImportParameters(parameters));

        Assert.Contains("'bogus.weight'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_MissingName_ThrowsNamingIt()
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var parameters = new NamedTensors(learner.ExportParameters().Where(t => t.Name != "value.bias"));

        var exception = Assert.Throws<ArgumentException>(() => learner.ImportParameters(parameters));

        Assert.Contains("'value.bias'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("missing", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, 512)]
    [InlineData(2560)]
    [InlineData(1, 5)]
    public void Import_WrongShapeOrSize_ThrowsNamingIt(params int[] shape)
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var elements = shape.Aggregate(1, (a, b) => a * b);
        var parameters = Replace(learner.ExportParameters(), new NamedTensor("trunk.0.weight", shape, new float[elements]));

        var exception = Assert.Throws<ArgumentException>(() => learner.ImportParameters(parameters));

        Assert.Contains("'trunk.0.weight'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Import_NonFiniteValue_ThrowsNamingIt(float bad)
    {
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        var parameters = learner.ExportParameters();
        parameters["sigma.weight"].Data[17] = bad;

        var exception = Assert.Throws<ArgumentException>(() => learner.ImportParameters(parameters));

        Assert.Contains("'sigma.weight'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_LastEntryInvalid_ChangesNoWeight()
    {
        // Every entry but the last is valid and different: nothing may be written before the whole input is checked.
        using var learner = new GlobalLearner(new A3cHyperparameters(), seed: 1);
        using var other = new GlobalLearner(new A3cHyperparameters(), seed: 2);
        var before = learner.ExportParameters();
        var parameters = other.ExportParameters();
        parameters["value.bias"].Data[0] = float.NaN;

        Assert.Throws<ArgumentException>(() => learner.ImportParameters(parameters));

        TestSupport.AssertBitIdentical(before, learner.ExportParameters());
    }

    [Fact]
    public void NamedTensor_DataLengthNotShapeProduct_ThrowsNamingIt()
    {
        var exception = Assert.Throws<ArgumentException>(() => new NamedTensor("mu.weight", [1, 256], new float[255]));

        Assert.Contains("'mu.weight'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamedTensors_DuplicateName_ThrowsNamingIt()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            new NamedTensors([new NamedTensor("a", [1], [1f]), new NamedTensor("a", [1], [2f])]));

        Assert.Contains("'a'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void L2Norm_KnownValues_IsEuclideanNormOfAllValues()
    {
        // 1000 values of 0.5 (sum of squares 250) and [3, 4] (25): sqrt(275). Long enough to use the vector path.
        var tensors = new NamedTensors(
        [
            new NamedTensor("a", [1000], Enumerable.Repeat(0.5f, 1000).ToArray()),
            new NamedTensor("b", [2], [3f, 4f]),
        ]);

        Assert.Equal(Math.Sqrt(275.0), tensors.L2Norm(), 12);
        Assert.Equal(1002, tensors.ElementCount);
    }

    private static NamedTensors Replace(NamedTensors tensors, NamedTensor replacement) =>
        new(tensors.Select(t => t.Name == replacement.Name ? replacement : t));
}

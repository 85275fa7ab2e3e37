using TorchSharp;
using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

[Collection(GlobalRandomStateGroup.Name)]
public sealed class ActorCriticTests
{
    public ActorCriticTests() => TorchRuntime.Initialize();

    [Fact]
    public void NamedParameters_SeedNetwork_AreTheStableWireNamesAndShapes()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);

        var parameters = model.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))).ToList();

        Assert.Equal(
            [
                ("trunk.0.weight", "512x5"), ("trunk.0.bias", "512"),
                ("trunk.2.weight", "256x512"), ("trunk.2.bias", "256"),
                ("mu.weight", "1x256"), ("mu.bias", "1"),
                ("sigma.weight", "1x256"), ("sigma.bias", "1"),
                ("value.weight", "1x256"), ("value.bias", "1"),
            ],
            parameters);
    }

    [Fact]
    public void NamedParameters_ThreeHiddenLayers_NumberTrunkLinearsEveryTwoEntries()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters { HiddenSizes = [16, 8, 4] }, seed: 1);

        var names = model.named_parameters().Select(p => p.name).Where(n => n.StartsWith("trunk.", StringComparison.Ordinal));

        Assert.Equal(["trunk.0.weight", "trunk.0.bias", "trunk.2.weight", "trunk.2.bias", "trunk.4.weight", "trunk.4.bias"], names);
    }

    [Fact]
    public void Create_SameSeed_IdenticalWeights()
    {
        using var first = new GlobalLearner(new A3cHyperparameters(), seed: 42);
        using var second = new GlobalLearner(new A3cHyperparameters(), seed: 42);

        TestSupport.AssertBitIdentical(first.ExportParameters(), second.ExportParameters());
    }

    [Fact]
    public void Create_DifferentSeed_DifferentWeights()
    {
        using var first = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var second = ActorCritic.Create(new A3cHyperparameters(), seed: 2);

        var a = first.named_parameters().First().parameter.data<float>().ToArray();
        var b = second.named_parameters().First().parameter.data<float>().ToArray();

        Assert.False(a.AsSpan().SequenceEqual(b));
    }

    [Fact]
    public void Create_Seeded_LeavesGlobalRandomStateAlone()
    {
        torch.manual_seed(123);
        using var expected = torch.rand(4);
        torch.manual_seed(123);

        using (ActorCritic.Create(new A3cHyperparameters(), seed: 5))
        {
        }

        using var actual = torch.rand(4);
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void Create_Weights_FollowPyTorchLinearInitialisationBounds()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 3);

        foreach (var (name, parameter) in model.named_parameters())
        {
            var fanIn = name.StartsWith("trunk.0", StringComparison.Ordinal) ? 5 : name.StartsWith("trunk.2", StringComparison.Ordinal) ? 512 : 256;
            var bound = 1.0 / Math.Sqrt(fanIn);
            var values = parameter.data<float>().ToArray();
            Assert.All(values, v => Assert.InRange(v, -bound, bound));
            Assert.True(values.Length == 1 || values.Distinct().Count() > 1, $"{name} looks uninitialised.");
        }
    }

    [Fact]
    public void Forward_Batch_ReturnsOneRowPerObservation()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var scope = NewDisposeScope();

        var output = model.forward(torch.rand(7, 5));

        Assert.Equal([7L, 1L], output.Mu.shape);
        Assert.Equal([7L, 1L], output.Std.shape);
        Assert.Equal([7L, 1L], output.Value.shape);
    }

    [Theory]
    [InlineData(10f, 1f)]
    [InlineData(-10f, -1f)]
    public void Forward_SaturatedMeanHead_MuClampedToActionBounds(float bias, float expected)
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        SetParameter(model, "mu.weight", 0f);
        SetParameter(model, "mu.bias", bias);
        using var scope = NewDisposeScope();

        var mu = model.forward(torch.rand(3, 5)).Mu.data<float>().ToArray();

        Assert.All(mu, m => Assert.Equal(expected, m));
    }

    [Fact]
    public void Forward_SmallMeanPreActivation_MuIsTwiceTanh()
    {
        // mu = clamp(2 tanh(0.2), -1, 1) = 2 tanh(0.2) = 0.394751...
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        SetParameter(model, "mu.weight", 0f);
        SetParameter(model, "mu.bias", 0.2f);
        using var scope = NewDisposeScope();

        var mu = model.forward(torch.rand(1, 5)).Mu.item<float>();

        Assert.Equal(2.0 * Math.Tanh(0.2), mu, 6);
    }

    [Theory]
    [InlineData(-100f)]
    [InlineData(0.5f)]
    public void Forward_AnySigmaPreActivation_StdIsSoftplusPlusEpsilonAndPositive(float bias)
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        SetParameter(model, "sigma.weight", 0f);
        SetParameter(model, "sigma.bias", bias);
        using var scope = NewDisposeScope();

        var std = model.forward(torch.rand(1, 5)).Std.item<float>();

        var expected = Math.Log(1.0 + Math.Exp(bias)) + 1e-5;
        Assert.True(std > 0f);
        Assert.Equal(expected, std, 6);
    }

    [Fact]
    public void ValueOf_SameInput_EqualsForwardValue()
    {
        using var model = ActorCritic.Create(new A3cHyperparameters(), seed: 1);
        using var scope = NewDisposeScope();
        var input = torch.rand(4, 5);

        var value = model.ValueOf(input).data<float>().ToArray();

        Assert.Equal(model.forward(input).Value.data<float>().ToArray(), value);
    }

    [Fact]
    public void Constructor_IntegerDType_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ActorCritic(new A3cHyperparameters(), 1, ScalarType.Int32));
    }

    internal static void SetParameter(ActorCritic model, string name, float value)
    {
        using var noGrad = no_grad();
        using Scalar scalar = value; // kept in a variable: TorchSharp does not keep temporary Scalars alive
        model.named_parameters().Single(p => p.name == name).parameter.fill_(scalar);
    }
}

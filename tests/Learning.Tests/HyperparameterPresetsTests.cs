using System.ComponentModel.DataAnnotations;

namespace A3cGrpc.Learning.Tests;

public sealed class HyperparameterPresetsTests
{
    [Fact]
    public void Create_Seed_IsTheSeedReportsDefaults()
    {
        var seed = HyperparameterPresets.Create(HyperparameterPresets.SeedName);
        var defaults = new A3cHyperparameters();

        foreach (var property in typeof(A3cHyperparameters).GetProperties().Where(p => p.CanWrite))
        {
            Assert.Equal(property.GetValue(defaults), property.GetValue(seed));
        }

        Assert.Equal("seed", seed.Preset);
        Assert.Equal(PolicyMeanKind.ClampedTanh, seed.PolicyMean);
        Assert.Equal(1.0, seed.GaeLambda);
        Assert.Null(seed.Environments);
        Assert.Equal(1, seed.EnvironmentsPerLearner(distributed: false));
        Assert.Equal(16, seed.EnvironmentsPerLearner(distributed: true));
    }

    [Theory]
    [InlineData("default")]
    [InlineData("seed")]
    [InlineData("DEFAULT")]
    public void Create_EveryPreset_IsValidAndNamesItself(string name)
    {
        var preset = HyperparameterPresets.Create(name);

        preset.Validate();
        Assert.Equal(name.ToLowerInvariant(), preset.Preset);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingThePresets()
    {
        var error = Assert.Throws<ArgumentException>(() => HyperparameterPresets.Create("fast"));

        Assert.Contains("default, seed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Twice_GivesIndependentInstances()
    {
        var first = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
        first.HiddenSizes![0] = 1;

        Assert.NotEqual(1, HyperparameterPresets.Create(HyperparameterPresets.DefaultName).HiddenSizes![0]);
    }

    [Fact]
    public void Validate_UnknownPresetName_Fails()
    {
        var hyperparameters = new A3cHyperparameters { Preset = "mine" };

        var error = Assert.Throws<ValidationException>(hyperparameters.Validate);

        Assert.Contains("Preset 'mine'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InitialLogStdOutsideItsBounds_Fails()
    {
        var hyperparameters = new A3cHyperparameters { InitialLogStd = 3, MaxLogStd = 2 };

        var error = Assert.Throws<ValidationException>(hyperparameters.Validate);

        Assert.Contains("InitialLogStd", error.Message, StringComparison.Ordinal);
    }
}

using A3cGrpc.Distributed.Options;
using A3cGrpc.Learning;
using Microsoft.Extensions.Configuration;

namespace A3cGrpc.Distributed.Tests;

public sealed class HyperparameterConfigurationTests
{
    private static IConfiguration Section(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void Resolve_NoPresetKey_IsTheDefaultPreset()
    {
        var resolved = HyperparameterConfiguration.Resolve(Section());

        Assert.Equal(HyperparameterPresets.DefaultName, resolved.Preset);
        Assert.Equal(HyperparameterPresets.Create(HyperparameterPresets.DefaultName).Gamma, resolved.Gamma);
    }

    [Fact]
    public void Resolve_SeedPreset_IsTheSeedsSettings()
    {
        var resolved = HyperparameterConfiguration.Resolve(Section(("Preset", "seed")));

        Assert.Equal(0.95, resolved.Gamma);
        Assert.Null(resolved.HiddenSizes);
        Assert.Equal(PolicyMeanKind.ClampedTanh, resolved.PolicyMean);
    }

    [Fact]
    public void Resolve_SingleSettings_OverrideThePreset()
    {
        var resolved = HyperparameterConfiguration.Resolve(Section(("Preset", "seed"), ("Gamma", "0.99"), ("PolicyMean", "Linear"), ("NSteps", "4")));

        Assert.Equal(0.99, resolved.Gamma);
        Assert.Equal(PolicyMeanKind.Linear, resolved.PolicyMean);
        Assert.Equal(4, resolved.NSteps);
        Assert.Equal("seed", resolved.Preset);
    }

    [Fact]
    public void Resolve_HiddenSizes_ReplaceThePresetsListInsteadOfAppending()
    {
        var resolved = HyperparameterConfiguration.Resolve(Section(("HiddenSizes:0", "32")));

        Assert.Equal([32], resolved.HiddenSizes!);
    }

    [Fact]
    public void Resolve_UnknownKeyOrPreset_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => HyperparameterConfiguration.Resolve(Section(("Gama", "0.9"))));
        Assert.Throws<ArgumentException>(() => HyperparameterConfiguration.Resolve(Section(("Preset", "fast"))));
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("default")]
    public void ToSettings_ThenResolve_GivesBackEverySetting(string preset)
    {
        // What the launcher passes to the parameter server: every resolved value, as configuration keys.
        var original = HyperparameterPresets.Create(preset);
        original.GaeLambda = 0.875;
        original.HiddenSizes = [48, 24];

        var resolved = HyperparameterConfiguration.Resolve(Section([.. HyperparameterConfiguration.ToSettings(original).Select(p => (p.Key, p.Value))]));

        foreach (var property in typeof(A3cHyperparameters).GetProperties().Where(p => p.CanWrite))
        {
            var expected = property.GetValue(original);
            var actual = property.GetValue(resolved);
            Assert.True(Equals(expected, actual) || (expected is int[] a && actual is int[] b && a.SequenceEqual(b)), $"{property.Name}: {expected} became {actual}.");
        }
    }

    [Fact]
    public void ParseOverrides_NameValuePairs_BecomeSectionKeys()
    {
        var keys = HyperparameterConfiguration.ParseOverrides(["gaelambda=0.9", "HiddenSizes=128, 64"]).ToArray();

        Assert.Equal(
            [new("GaeLambda", "0.9"), new("HiddenSizes:0", "128"), new KeyValuePair<string, string?>("HiddenSizes:1", "64")],
            keys);
    }

    [Theory]
    [InlineData("GaeLambda")]
    [InlineData("=0.9")]
    [InlineData("Lambda=0.9")]
    public void ParseOverrides_Malformed_ThrowsNamingIt(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => HyperparameterConfiguration.ParseOverrides([text]).ToArray());

        Assert.Contains(text.Split('=')[0] is { Length: > 0 } name ? name : text, error.Message, StringComparison.Ordinal);
    }
}

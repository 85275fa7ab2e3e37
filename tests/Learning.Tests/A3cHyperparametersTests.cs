using System.ComponentModel.DataAnnotations;

namespace A3cGrpc.Learning.Tests;

public sealed class A3cHyperparametersTests
{
    [Fact]
    public void Defaults_AreTheSeedReportValues()
    {
        var hyperparameters = new A3cHyperparameters();

        Assert.Equal("A3c", A3cHyperparameters.SectionName);
        Assert.Equal(8, hyperparameters.NSteps);
        Assert.Equal(0.95, hyperparameters.Gamma);
        Assert.Null(hyperparameters.LearningRate);
        Assert.Equal(0.95, hyperparameters.AdamBeta1);
        Assert.Equal(0.999, hyperparameters.AdamBeta2);
        Assert.Equal(1e-8, hyperparameters.AdamEpsilon);
        Assert.Equal(0.01, hyperparameters.EntropyCoefficient);
        Assert.Equal(0.5, hyperparameters.CriticLossCoefficient);
        Assert.Null(hyperparameters.HiddenSizes);
        Assert.Equal(new[] { 512, 256 }, hyperparameters.EffectiveHiddenSizes);
        Assert.Equal(2.0, hyperparameters.MuScale);
        Assert.Equal(1e-5, hyperparameters.StdEpsilon);
        Assert.Equal(1e-6, hyperparameters.LogProbEpsilon);
        Assert.Equal(5, hyperparameters.ObservationSize);
        Assert.Equal(1, hyperparameters.ActionSize);
        Assert.Equal(-1.0, hyperparameters.ActionLow);
        Assert.Equal(1.0, hyperparameters.ActionHigh);
    }

    [Theory]
    [InlineData(1, 3e-5)]
    [InlineData(2, 3e-5)]
    [InlineData(3, 4e-4)]
    [InlineData(8, 4e-4)]
    [InlineData(16, 4e-4)]
    public void EffectiveLearningRate_NoExplicitRate_FollowsSeedRule(int nSteps, double expected)
    {
        var hyperparameters = new A3cHyperparameters { NSteps = nSteps };

        Assert.Equal(expected, hyperparameters.EffectiveLearningRate);
    }

    [Fact]
    public void EffectiveLearningRate_ExplicitRate_WinsOverSeedRule()
    {
        var hyperparameters = new A3cHyperparameters { NSteps = 1, LearningRate = 1e-3 };

        Assert.Equal(1e-3, hyperparameters.EffectiveLearningRate);
    }

    [Fact]
    public void EffectiveHiddenSizes_ExplicitSizes_AreUsed()
    {
        var hyperparameters = new A3cHyperparameters { HiddenSizes = [256, 128] };

        Assert.Equal(new[] { 256, 128 }, hyperparameters.EffectiveHiddenSizes);
    }

    [Fact]
    public void Validate_Defaults_DoesNotThrow()
    {
        var exception = Record.Exception(() => new A3cHyperparameters().Validate());

        Assert.Null(exception);
    }

    public static TheoryData<string, Action<A3cHyperparameters>> InvalidSettings() => new()
    {
        { "NSteps", h => h.NSteps = 0 },
        { "Gamma", h => h.Gamma = 1.5 },
        { "Gamma", h => h.Gamma = double.NaN },
        { "LearningRate", h => h.LearningRate = -1e-3 },
        { "LearningRate", h => h.LearningRate = double.PositiveInfinity },
        { "AdamBeta1", h => h.AdamBeta1 = 1.0 },
        { "AdamBeta2", h => h.AdamBeta2 = -0.1 },
        { "AdamEpsilon", h => h.AdamEpsilon = 0.0 },
        { "EntropyCoefficient", h => h.EntropyCoefficient = -0.01 },
        { "CriticLossCoefficient", h => h.CriticLossCoefficient = double.NaN },
        { "HiddenSizes", h => h.HiddenSizes = [] },
        { "HiddenSizes[1]", h => h.HiddenSizes = [64, 0] },
        { "MuScale", h => h.MuScale = 0.0 },
        { "StdEpsilon", h => h.StdEpsilon = -1e-5 },
        { "LogProbEpsilon", h => h.LogProbEpsilon = 2.0 },
        { "ObservationSize", h => h.ObservationSize = 0 },
        { "ActionSize", h => h.ActionSize = 0 },
        { "ActionLow", h => { h.ActionLow = 1.0; h.ActionHigh = -1.0; } },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validate_InvalidSetting_ThrowsNamingIt(string expectedName, Action<A3cHyperparameters> makeInvalid)
    {
        var hyperparameters = new A3cHyperparameters();
        makeInvalid(hyperparameters);

        var exception = Assert.Throws<ValidationException>(hyperparameters.Validate);

        Assert.Contains(expectedName, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ListsEveryOne()
    {
        var hyperparameters = new A3cHyperparameters { NSteps = 0, Gamma = 2.0 };

        var exception = Assert.Throws<ValidationException>(hyperparameters.Validate);

        Assert.Contains("NSteps", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Gamma", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidateObject_CrossFieldProblem_IsReportedToOptionsValidation()
    {
        // ValidateDataAnnotations() uses Validator.TryValidateObject, which must see the cross-field rules too.
        var hyperparameters = new A3cHyperparameters { ActionLow = 2.0, ActionHigh = 2.0 };
        var results = new List<ValidationResult>();

        var valid = Validator.TryValidateObject(hyperparameters, new ValidationContext(hyperparameters), results, validateAllProperties: true);

        Assert.False(valid);
        var result = Assert.Single(results);
        Assert.Contains(nameof(A3cHyperparameters.ActionLow), result.MemberNames);
    }

    [Fact]
    public void Clone_ChangingTheCopy_LeavesTheOriginal()
    {
        var original = new A3cHyperparameters { HiddenSizes = [64, 32], NSteps = 4 };

        var copy = original.Clone();
        copy.HiddenSizes![0] = 1;
        copy.NSteps = 2;

        Assert.Equal(new[] { 64, 32 }, original.HiddenSizes);
        Assert.Equal(4, original.NSteps);
    }
}

using System.ComponentModel.DataAnnotations;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;

namespace A3cGrpc.Distributed.Tests;

public sealed class HyperparameterWireTests
{
    [Fact]
    public void ServerToWorker_RoundTrip_KeepsEveryValue()
    {
        var server = new A3cHyperparameters
        {
            NSteps = 5,
            Gamma = 0.9,
            LearningRate = 1e-3,
            AdamBeta1 = 0.8,
            AdamBeta2 = 0.99,
            EntropyCoefficient = 0.02,
            CriticLossCoefficient = 0.25,
            HiddenSizes = [64, 32],
            MuScale = 1.5,
            StdEpsilon = 1e-4,
            LogProbEpsilon = 1e-5,
        };
        var description = new ModelDescription
        {
            Hyperparameters = HyperparameterWire.ToProto(server),
            ObservationSize = 5,
            ActionSize = 1,
        };

        var worker = HyperparameterWire.FromDescription(description);

        Assert.Equal(server.NSteps, worker.NSteps);
        Assert.Equal(server.Gamma, worker.Gamma);
        Assert.Equal(server.EffectiveLearningRate, worker.EffectiveLearningRate);
        Assert.Equal(server.AdamBeta1, worker.AdamBeta1);
        Assert.Equal(server.AdamBeta2, worker.AdamBeta2);
        Assert.Equal(server.EntropyCoefficient, worker.EntropyCoefficient);
        Assert.Equal(server.CriticLossCoefficient, worker.CriticLossCoefficient);
        Assert.Equal(server.EffectiveHiddenSizes, worker.EffectiveHiddenSizes);
        Assert.Equal(server.MuScale, worker.MuScale);
        Assert.Equal(server.StdEpsilon, worker.StdEpsilon);
        Assert.Equal(server.LogProbEpsilon, worker.LogProbEpsilon);
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("default")]
    public void ServerToWorker_EveryPreset_KeepsEverySetting(string preset)
    {
        // Reflection over every setting: a setting added to A3cHyperparameters but not to the wire fails here.
        var server = HyperparameterPresets.Create(preset);
        var description = new ModelDescription { Hyperparameters = HyperparameterWire.ToProto(server), ObservationSize = 5, ActionSize = 1 };

        var worker = HyperparameterWire.FromDescription(description);

        foreach (var property in typeof(A3cHyperparameters).GetProperties().Where(p => p.CanWrite))
        {
            var (expected, actual) = property.Name switch
            {
                nameof(A3cHyperparameters.LearningRate) => ((object?)server.EffectiveLearningRate, (object?)worker.EffectiveLearningRate),
                nameof(A3cHyperparameters.HiddenSizes) => (server.EffectiveHiddenSizes.ToArray(), worker.EffectiveHiddenSizes.ToArray()),
                _ => (property.GetValue(server), property.GetValue(worker)),
            };
            Assert.True(Equals(expected, actual) || (expected is int[] a && actual is int[] b && a.SequenceEqual(b)), $"{property.Name}: {expected} sent, {actual} received.");
        }
    }

    [Fact]
    public void SeedDefaults_OnTheWire_CarryTheEffectiveLearningRateAndHiddenSizes()
    {
        var proto = HyperparameterWire.ToProto(new A3cHyperparameters());

        Assert.Equal(4e-4, proto.LearningRate);
        Assert.Equal([512, 256], proto.HiddenSizes);
    }

    [Fact]
    public void InvalidDescription_IsRefused()
    {
        var description = new ModelDescription
        {
            Hyperparameters = HyperparameterWire.ToProto(new A3cHyperparameters()),
            ObservationSize = 5,
            ActionSize = 1,
        };
        description.Hyperparameters.NSteps = 0;

        Assert.Throws<ValidationException>(() => HyperparameterWire.FromDescription(description));
        Assert.Throws<WireFormatException>(() => HyperparameterWire.FromDescription(new ModelDescription()));
    }
}

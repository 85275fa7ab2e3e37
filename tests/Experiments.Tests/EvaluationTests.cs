using A3cGrpc.Experiments.Evaluation;

namespace A3cGrpc.Experiments.Tests;

public sealed class EvaluationTests
{
    [Fact]
    public void FromReturns_KnownReturns_ComputesPopulationStatistics()
    {
        // mean of {1, 2, 3, 6} = 3; squared deviations 4 + 1 + 0 + 9 = 14; population variance 14 / 4 = 3.5.
        var result = EvaluationResult.FromReturns([1.0, 2.0, 3.0, 6.0], envSteps: 10, trainingEpisodes: 2, wallSeconds: 1.5, durationSeconds: 0.1);

        Assert.Equal(3.0, result.Mean, 12);
        Assert.Equal(Math.Sqrt(3.5), result.Std, 12);
        Assert.Equal(1.0, result.Min);
        Assert.Equal(6.0, result.Max);
        Assert.Equal(4, result.Episodes);
        Assert.Equal(10, result.EnvSteps);
    }

    [Fact]
    public void FromReturns_NoReturns_Throws()
    {
        Assert.Throws<ArgumentException>(() => EvaluationResult.FromReturns([], 0, 0, 0, 0));
    }

    [Fact]
    public void Evaluate_ZeroPolicy_ScoresTheSpecsHangingPoleRange()
    {
        // docs/env-spec.md §5.5: zero-action returns lie in about [-1000, -998.2] for every u in [-0.1, 0.1).
        var evaluator = new PolicyEvaluator(new EvaluationOptions { Episodes = 4 });

        var result = evaluator.Evaluate(new ZeroPolicy());

        Assert.Equal(4, result.Returns.Count);
        Assert.All(result.Returns, r => Assert.InRange(r, -1000.0, -998.2));
    }

    [Fact]
    public void Evaluate_SameOptionsTwice_GivesIdenticalReturns()
    {
        // Every evaluation uses the same environment seeds, so a deterministic policy scores the same.
        var evaluator = new PolicyEvaluator(new EvaluationOptions { Episodes = 3 });

        var first = evaluator.Evaluate(new ZeroPolicy());
        var second = evaluator.Evaluate(new ZeroPolicy());

        Assert.Equal(first.Returns, second.Returns);
        Assert.NotEqual(first.Returns[0], first.Returns[1]);
    }

    [Fact]
    public void Record_MeansCrossingThresholds_RecordsFirstCrossingsAndBest()
    {
        var milestones = new Milestones(new EvaluationOptions());
        EvaluationResult At(long steps, double mean) => new(steps, 0, steps / 100.0, 10, mean, 0, mean, mean, 0, []);

        Assert.False(milestones.Record(At(1000, -900)));
        Assert.False(milestones.Record(At(2000, 450)));
        Assert.False(milestones.Record(At(3000, 420)));
        Assert.True(milestones.Record(At(4000, 810)));
        Assert.False(milestones.Record(At(5000, 850)));

        Assert.Equal(2000, milestones.Progress!.EnvSteps);
        Assert.Equal(4000, milestones.Solved!.EnvSteps);
        Assert.Equal(850, milestones.Best!.Mean);
    }

    [Theory]
    [InlineData(0L, 10, "EveryEnvSteps")]
    [InlineData(100L, 0, "Episodes")]
    [InlineData(100L, 1001, "Episodes")]
    public void Validate_OutOfRange_ThrowsNamingTheSetting(long every, int episodes, string setting)
    {
        var options = new EvaluationOptions { EveryEnvSteps = every, Episodes = episodes };

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(options.Validate);

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonFiniteThreshold_Throws()
    {
        var options = new EvaluationOptions { SolvedThreshold = double.NaN };

        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(options.Validate);
    }
}

public sealed class EvaluationPacingTests
{
    [Fact]
    public void WaitSeconds_AfterAnEvaluation_HoldsTheNextForItsDurationOverTheShare()
    {
        // An evaluation of 0.2 s at a 5% share: the next may start 4 s after this one started.
        var pacing = new EvaluationPacing(new EvaluationOptions { MaxShare = 0.05 });

        pacing.Evaluated(startedAt: 10.0, duration: 0.2);

        Assert.Equal(4.0, pacing.WaitSeconds(10.0), 9);
        Assert.Equal(1.0, pacing.WaitSeconds(13.0), 9);
        Assert.Equal(0.0, pacing.WaitSeconds(14.5));
    }

    [Fact]
    public void WaitSeconds_BeforeAnyEvaluationOrWithTheWholeShare_IsZero()
    {
        var fresh = new EvaluationPacing(new EvaluationOptions());
        var unpaced = new EvaluationPacing(new EvaluationOptions { MaxShare = 1 });
        unpaced.Evaluated(startedAt: 5.0, duration: 0.5);

        Assert.Equal(0.0, fresh.WaitSeconds(0.0));
        Assert.Equal(0.0, unpaced.WaitSeconds(5.5));
    }
}

using A3cGrpc.Cli.Benchmarks;
using A3cGrpc.Experiments.Evaluation;

namespace A3cGrpc.Cli.Tests;

public sealed class LearningBenchmarkTests
{
    private static SeedOutcome Seed(int seed, params (double Seconds, double Mean)[] curve)
    {
        var points = curve.Select((p, i) => new CurvePoint(p.Seconds, (i + 1) * 1000L, p.Mean)).ToArray();
        var milestones = LearningBenchmark.Thresholds
            .Select(t => points.FirstOrDefault(p => p.Mean >= t) is { } p ? new ThresholdReached(t, p.Mean, p.WallSeconds, p.EnvSteps) : null)
            .ToArray();
        EvaluationResult Result(CurvePoint p) => EvaluationResult.FromReturns([p.Mean], p.EnvSteps, 0, p.WallSeconds, 0);
        var best = points.MaxBy(p => p.Mean)!;
        return new SeedOutcome(
            seed, $"seed-{seed}", curve[^1].Seconds, points[^1].EnvSteps, 10, 100, 1, null, milestones,
            Result(best), Result(points[^1]), null, best.Mean - points[^1].Mean, points);
    }

    [Fact]
    public void Aggregate_SomeSeedsNeverReach_CountsThemAsSlowerThanAnyThatDid()
    {
        // Reaching 800 at 100 s, 300 s, and never: the median of three is 300 s; not every seed reached, so no slowest.
        var seeds = new[]
        {
            Seed(1, (100, 850), (200, 880)),
            Seed(2, (100, 500), (300, 810), (400, 700)),
            Seed(3, (100, 300), (400, 390)),
        };

        var aggregate = LearningBenchmark.Aggregate(seeds);

        var solved = aggregate.Thresholds.Single(t => t.Threshold == 800);
        Assert.Equal(2, solved.SeedsReached);
        Assert.Equal(300, solved.MedianWallSeconds);
        Assert.Null(solved.SlowestWallSeconds);
        var top = aggregate.Thresholds.Single(t => t.Threshold == 870);
        Assert.Equal(1, top.SeedsReached);
        Assert.Null(top.MedianWallSeconds); // two of three never reached it: the median is "never"
        Assert.Equal(1, aggregate.SeedsEndingMoreThan100BelowTheirBest); // seed 2 fell from 810 to 700
        Assert.Equal(810, aggregate.MedianBest);
    }

    [Fact]
    public void ValueAt_Time_IsTheLatestEvaluationAtOrBeforeIt()
    {
        var curve = new[] { new CurvePoint(10, 1, -500), new CurvePoint(20, 2, 100) };

        Assert.True(double.IsNaN(LearningBenchmark.ValueAt(curve, 5)));
        Assert.Equal(-500, LearningBenchmark.ValueAt(curve, 19.9));
        Assert.Equal(100, LearningBenchmark.ValueAt(curve, 60));
    }

    [Theory]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, 2.0)]
    [InlineData(new[] { 4.0, 1.0, 2.0, 3.0 }, 2.5)]
    [InlineData(new[] { 1.0, double.NaN, 5.0 }, 3.0)]
    public void Median_Values_IsTheMiddleIgnoringNaN(double[] values, double expected)
    {
        Assert.Equal(expected, LearningBenchmark.Median(values));
    }
}

namespace A3cGrpc.Learning.Tests;

public sealed class ObservationStatisticsTests
{
    private static float[] Rows(int count, int seed, int size = 3, double scale = 5.0, double offset = 2.0)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count * size).Select(_ => (float)((random.NextDouble() * scale) - offset))];
    }

    private static (double[] Mean, double[] Variance) TwoPass(float[] rows, int size)
    {
        var count = rows.Length / size;
        var mean = new double[size];
        var variance = new double[size];
        for (var i = 0; i < size; i++)
        {
            for (var r = 0; r < count; r++)
            {
                mean[i] += rows[(r * size) + i];
            }

            mean[i] /= count;
            for (var r = 0; r < count; r++)
            {
                var d = rows[(r * size) + i] - mean[i];
                variance[i] += d * d;
            }

            variance[i] /= count;
        }

        return (mean, variance);
    }

    [Fact]
    public void FromRows_Batch_MatchesTwoPassMeanAndVariance()
    {
        var rows = Rows(500, seed: 1);

        var statistics = ObservationStatistics.FromRows(rows, 3);

        var (mean, variance) = TwoPass(rows, 3);
        Assert.Equal(500, statistics.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(mean[i], statistics.Mean[i], 1e-12);
            Assert.Equal(variance[i], statistics.Variance(i), 1e-10);
        }
    }

    [Fact]
    public void Merge_TwoBatches_EqualsTheStatisticsOfBothTogether()
    {
        // Chan's formula: merging the parts is exact (to rounding), whatever their sizes.
        var first = Rows(37, seed: 2);
        var second = Rows(1000, seed: 3, scale: 0.5, offset: -4);

        var merged = ObservationStatistics.FromRows(first, 3).Merge(ObservationStatistics.FromRows(second, 3));

        var all = ObservationStatistics.FromRows([.. first, .. second], 3);
        Assert.Equal(all.Count, merged.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(all.Mean[i], merged.Mean[i], 1e-12);
            Assert.Equal(all.M2[i], merged.M2[i], 1e-8);
        }
    }

    [Fact]
    public void Merge_ManyWorkersInAnyOrder_GivesTheSameStatistics()
    {
        var parts = Enumerable.Range(0, 12).Select(i => ObservationStatistics.FromRows(Rows(16 + i, seed: 10 + i), 3)).ToArray();

        var forward = parts.Aggregate(ObservationStatistics.Empty(3), (a, b) => a.Merge(b));
        var backward = parts.Reverse().Aggregate(ObservationStatistics.Empty(3), (a, b) => a.Merge(b));

        Assert.Equal(forward.Count, backward.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(forward.Mean[i], backward.Mean[i], 1e-12);
            Assert.Equal(forward.M2[i], backward.M2[i], 1e-9);
        }
    }

    [Fact]
    public void Merge_WithEmpty_ReturnsTheOtherSide()
    {
        var statistics = ObservationStatistics.FromRows(Rows(10, seed: 4), 3);

        Assert.Same(statistics, statistics.Merge(ObservationStatistics.Empty(3)));
        Assert.Same(statistics, ObservationStatistics.Empty(3).Merge(statistics));
    }

    [Fact]
    public void Merge_OtherWidth_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => ObservationStatistics.Empty(3).Merge(ObservationStatistics.Empty(5)));

        Assert.Contains("5 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_Rows_SubtractsTheMeanDividesByTheStandardDeviationAndClips()
    {
        // Two dimensions: values {1, 3} (mean 2, variance 1) and {10, 10} (mean 10, variance 0).
        var statistics = ObservationStatistics.FromRows([1, 10, 3, 10], 2);
        var normalized = new float[4];

        statistics.Normalize([4f, 10f, -100f, 10.5f], normalized, clip: 5.0);

        Assert.Equal(2f / MathF.Sqrt(1f + 1e-8f), normalized[0], 5);
        Assert.Equal(0f, normalized[1]);
        Assert.Equal(-5f, normalized[2]); // (-100 - 2) / 1, clipped
        Assert.Equal(5f, normalized[3]); // 0.5 / sqrt(1e-8), clipped
    }

    [Fact]
    public void Normalize_NoObservationsYet_IsTheIdentityWithinTheClip()
    {
        var normalized = new float[3];

        ObservationStatistics.Empty(3).Normalize([0.25f, -3f, 20f], normalized, clip: 10.0);

        Assert.Equal([0.25f, -3f, 10f], normalized);
    }

    public static TheoryData<long, double[], double[], string> InvalidParts() => new()
    {
        { -1, [0.0], [0.0], "non-negative" },
        { 2, [0.0, 1.0], [0.0], "same positive length" },
        { 2, [double.NaN], [0.0], "finite" },
        { 2, [0.0], [-1.0], "non-negative" },
        { 0, [1.0], [0.0], "zero observations" },
    };

    [Theory]
    [MemberData(nameof(InvalidParts))]
    public void Constructor_UnusableParts_ThrowsSayingWhy(long count, double[] mean, double[] m2, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ObservationStatistics(count, mean, m2));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRows_NonFiniteValue_ThrowsNamingTheObservation()
    {
        var error = Assert.Throws<ArgumentException>(() => ObservationStatistics.FromRows([0f, 1f, 2f, float.NaN], 2));

        Assert.Contains("Observation 1, element 1", error.Message, StringComparison.Ordinal);
    }
}

namespace A3cGrpc.Learning;

/// <summary>
/// Running statistics of observations: count, per-dimension mean and sum of squared deviations (M2), in doubles.
/// Immutable. Batches are folded in with Welford's update; two sets of statistics are merged exactly with Chan et al.'s
/// parallel formula, so a parameter server can merge what each worker saw in any order and get what one pass over
/// every observation would give (to rounding). <see cref="Normalize"/> maps a raw observation to the network's input.
/// </summary>
public sealed class ObservationStatistics
{
    /// <summary>Added to the variance before the square root, so a dimension that never varied does not divide by zero.</summary>
    public const double VarianceEpsilon = 1e-8;

    private readonly double[] _mean;
    private readonly double[] _m2;

    /// <summary>Statistics from their parts (copied).</summary>
    /// <exception cref="ArgumentException">A negative count, lengths that differ, a non-finite value, a negative M2, or non-zero parts with a zero count.</exception>
    public ObservationStatistics(long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2)
    {
        if (count < 0)
        {
            throw new ArgumentException($"The observation count must be non-negative, got {count}.", nameof(count));
        }

        if (mean.Length < 1 || mean.Length != m2.Length)
        {
            throw new ArgumentException($"Mean and M2 must have the same positive length; got {mean.Length} and {m2.Length}.", nameof(mean));
        }

        for (var i = 0; i < mean.Length; i++)
        {
            if (!double.IsFinite(mean[i]) || !double.IsFinite(m2[i]) || m2[i] < 0)
            {
                throw new ArgumentException(
                    $"Observation statistics of dimension {i} are not usable (mean {mean[i]}, M2 {m2[i]}): both must be finite and M2 non-negative.",
                    nameof(m2));
            }

            if (count == 0 && (mean[i] != 0 || m2[i] != 0))
            {
                throw new ArgumentException("Statistics of zero observations must have zero mean and M2.", nameof(count));
            }
        }

        Count = count;
        _mean = mean.ToArray();
        _m2 = m2.ToArray();
    }

    /// <summary>Observations counted.</summary>
    public long Count { get; }

    /// <summary>Width of one observation.</summary>
    public int Size => _mean.Length;

    /// <summary>Per-dimension mean.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Per-dimension sum of squared deviations from the mean.</summary>
    public ReadOnlySpan<double> M2 => _m2;

    /// <summary>No observations yet: <see cref="Normalize"/> is the identity (before clipping).</summary>
    public static ObservationStatistics Empty(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        return new ObservationStatistics(0, new double[size], new double[size]);
    }

    /// <summary>The statistics of <paramref name="rows"/> (row-major, <paramref name="size"/> values each), by Welford's update.</summary>
    /// <exception cref="ArgumentException">The rows are not whole or hold a non-finite value.</exception>
    public static ObservationStatistics FromRows(ReadOnlySpan<float> rows, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rows.Length % size != 0)
        {
            throw new ArgumentException($"Expected whole rows of {size} values, got {rows.Length} values.", nameof(rows));
        }

        var mean = new double[size];
        var m2 = new double[size];
        long count = 0;
        for (var offset = 0; offset < rows.Length; offset += size)
        {
            count++;
            for (var i = 0; i < size; i++)
            {
                double x = rows[offset + i];
                if (!double.IsFinite(x))
                {
                    throw new ArgumentException($"Observation {offset / size}, element {i}, is not finite ({x}).", nameof(rows));
                }

                var delta = x - mean[i];
                mean[i] += delta / count;
                m2[i] += delta * (x - mean[i]);
            }
        }

        return new ObservationStatistics(count, mean, m2);
    }

    /// <summary>Population variance of dimension <paramref name="index"/> (1 before any observation).</summary>
    public double Variance(int index) => Count == 0 ? 1.0 : _m2[index] / Count;

    /// <summary>
    /// These statistics and <paramref name="other"/> as one set (Chan, Golub and LeVeque's pairwise formula):
    /// <c>n = na + nb; δ = μb − μa; μ = μa + δ·nb/n; M2 = M2a + M2b + δ²·na·nb/n</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ, or the result overflows.</exception>
    public ObservationStatistics Merge(ObservationStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Size != Size)
        {
            throw new ArgumentException($"Cannot merge statistics of {other.Size} values into statistics of {Size}.", nameof(other));
        }

        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        var count = checked(Count + other.Count);
        var mean = new double[Size];
        var m2 = new double[Size];
        double na = Count, nb = other.Count, n = count;
        for (var i = 0; i < Size; i++)
        {
            var delta = other._mean[i] - _mean[i];
            mean[i] = _mean[i] + (delta * nb / n);
            m2[i] = _m2[i] + other._m2[i] + (delta * delta * na * nb / n);
        }

        return new ObservationStatistics(count, mean, m2);
    }

    /// <summary>
    /// The network input for raw observations: per dimension <c>clamp((x − μ) / sqrt(var + 1e-8), −clip, clip)</c>,
    /// in place or into <paramref name="normalized"/> (several rows at once).
    /// </summary>
    public void Normalize(ReadOnlySpan<float> raw, Span<float> normalized, double clip)
    {
        if (raw.Length % Size != 0 || normalized.Length != raw.Length)
        {
            throw new ArgumentException($"Expected whole rows of {Size} values in and out; got {raw.Length} and {normalized.Length}.", nameof(raw));
        }

        Span<float> shift = stackalloc float[Size];
        Span<float> scale = stackalloc float[Size];
        ShiftAndScale(shift, scale);
        var bound = (float)clip;
        for (var offset = 0; offset < raw.Length; offset += Size)
        {
            for (var i = 0; i < Size; i++)
            {
                normalized[offset + i] = Math.Clamp((raw[offset + i] - shift[i]) * scale[i], -bound, bound);
            }
        }
    }

    /// <summary>The float32 shift (μ) and scale (1/sqrt(var + 1e-8)) that <see cref="Normalize"/> applies.</summary>
    public void ShiftAndScale(Span<float> shift, Span<float> scale)
    {
        if (shift.Length != Size || scale.Length != Size)
        {
            throw new ArgumentException($"Expected {Size} values for the shift and the scale.", nameof(shift));
        }

        for (var i = 0; i < Size; i++)
        {
            shift[i] = (float)_mean[i];
            scale[i] = (float)(1.0 / Math.Sqrt(Variance(i) + VarianceEpsilon));
        }
    }
}

using System.Globalization;

namespace A3cGrpc.Simulation.Tests.TestSupport;

/// <summary>
/// Comparisons against the numbers printed in docs/env-spec.md §5.
/// </summary>
/// <remarks>
/// The spec prints measured values to a fixed number of digits (pybullet and the C++ model
/// agree to 9 significant digits). The tightest check that such a number allows is that our
/// value <b>rounds to the printed digits</b>: |actual − printed| ≤ ½ unit in the last printed
/// digit. That is the tolerance used everywhere below, e.g. ±5e−10 for 0.133706493 and
/// ±5e−7 for −999.998175. A 1e−15 relative allowance covers the decimal-to-binary conversion
/// of the printed literal itself.
/// </remarks>
internal static class Spec
{
    /// <summary>Half a unit in the last digit of <paramref name="printed"/>.</summary>
    public static double HalfUnitInLastDigit(string printed)
    {
        var text = printed.Trim();
        var exponent = 0;
        var e = text.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var decimals = dot < 0 ? 0 : text.Length - dot - 1;
        return 0.5 * Math.Pow(10, exponent - decimals);
    }

    public static double Parse(string printed) => double.Parse(printed, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Asserts that <paramref name="actual"/> rounds to the printed spec value.</summary>
    public static void Printed(string printed, double actual, string what)
    {
        var expected = Parse(printed);
        var tolerance = HalfUnitInLastDigit(printed) + (Math.Abs(expected) * 1e-15);
        var error = Math.Abs(actual - expected);
        Assert.True(
            error <= tolerance,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{what}: expected {printed} (±{tolerance:G3}), got {actual:R} (off by {error:G3})."));
    }

    /// <summary>Asserts every element of <paramref name="actual"/> against the printed vector.</summary>
    public static void Printed(IReadOnlyList<string> printed, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(printed.Count, actual.Length);
        for (var i = 0; i < printed.Count; i++)
        {
            Printed(printed[i], actual[i], $"{what}[{i}]");
        }
    }

    /// <summary>Asserts |actual − expected| ≤ relative·|expected|, for values computed rather than printed.</summary>
    public static void Relative(double expected, double actual, double relative, string what)
    {
        var error = Math.Abs(actual - expected);
        Assert.True(
            error <= relative * Math.Abs(expected),
            string.Create(
                CultureInfo.InvariantCulture,
                $"{what}: expected {expected:R} within relative {relative:G3}, got {actual:R} (off by {error:G3})."));
    }
}

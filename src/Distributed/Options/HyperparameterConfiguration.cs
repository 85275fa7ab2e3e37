using System.Globalization;
using System.Reflection;
using A3cGrpc.Learning;
using Microsoft.Extensions.Configuration;

namespace A3cGrpc.Distributed.Options;

/// <summary>
/// The hyper-parameters from configuration section <c>A3c</c>: the preset named by <c>A3c:Preset</c> (default
/// <see cref="HyperparameterPresets.DefaultName"/>) first, then every other key of the section over it, so single
/// settings override the preset. The same section's keys can be written from an instance (<see cref="ToSettings"/>)
/// to pass a resolved configuration to another process.
/// </summary>
public static class HyperparameterConfiguration
{
    private static readonly PropertyInfo[] _settable = [.. typeof(A3cHyperparameters)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p is { CanRead: true, CanWrite: true })];

    /// <summary>The hyper-parameters <paramref name="section"/> describes (not validated).</summary>
    /// <exception cref="ArgumentException">The preset is not known.</exception>
    /// <exception cref="InvalidOperationException">A value cannot be converted to its setting's type.</exception>
    public static A3cHyperparameters Resolve(IConfiguration section)
    {
        var hyperparameters = new A3cHyperparameters();
        Bind(section, hyperparameters);
        return hyperparameters;
    }

    /// <summary>Overwrites <paramref name="target"/> with the preset of <paramref name="section"/> and then the section's keys.</summary>
    /// <exception cref="ArgumentException">The preset is not known.</exception>
    /// <exception cref="InvalidOperationException">A value cannot be converted to its setting's type.</exception>
    public static void Bind(IConfiguration section, A3cHyperparameters target)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        var preset = HyperparameterPresets.Create(section[nameof(A3cHyperparameters.Preset)] ?? HyperparameterPresets.DefaultName);
        CopyInto(preset, target);
        if (section.GetSection(nameof(A3cHyperparameters.HiddenSizes)).GetChildren().Any())
        {
            // The binder appends to an existing array: a configured list replaces the preset's instead.
            target.HiddenSizes = null;
        }

        section.Bind(target, options => options.ErrorOnUnknownConfiguration = true);
    }

    /// <summary>
    /// Every setting of <paramref name="hyperparameters"/> as configuration keys of the section (for example
    /// <c>GaeLambda</c> → <c>0.95</c>, <c>HiddenSizes:0</c> → <c>64</c>), numbers in the invariant culture; unset
    /// nullable settings are left out (they keep their meaning: the seed's rule).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> ToSettings(A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        foreach (var property in _settable)
        {
            switch (property.GetValue(hyperparameters))
            {
                case null:
                    break;
                case int[] values:
                    for (var i = 0; i < values.Length; i++)
                    {
                        yield return new($"{property.Name}:{i}", values[i].ToString(CultureInfo.InvariantCulture));
                    }

                    break;
                case double value:
                    yield return new(property.Name, value.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case var value:
                    yield return new(property.Name, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                    break;
            }
        }
    }

    /// <summary>Parses <c>Name=value</c> overrides (names of <see cref="A3cHyperparameters"/> settings; a list as <c>64,64</c>) into configuration keys.</summary>
    /// <exception cref="ArgumentException">An override is not <c>Name=value</c> or names no setting.</exception>
    public static IEnumerable<KeyValuePair<string, string?>> ParseOverrides(IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        foreach (var text in overrides)
        {
            var split = text.IndexOf('=', StringComparison.Ordinal);
            if (split <= 0)
            {
                throw new ArgumentException($"'{text}' is not Name=value (for example GaeLambda=0.95).", nameof(overrides));
            }

            var name = text[..split].Trim();
            var value = text[(split + 1)..].Trim();
            var property = _settable.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException(
                    $"'{name}' is not a hyper-parameter; the settings are {string.Join(", ", _settable.Select(p => p.Name))}.", nameof(overrides));
            if (property.PropertyType == typeof(int[]))
            {
                var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < items.Length; i++)
                {
                    yield return new($"{property.Name}:{i}", items[i]);
                }
            }
            else
            {
                yield return new(property.Name, value);
            }
        }
    }

    private static void CopyInto(A3cHyperparameters source, A3cHyperparameters target)
    {
        var copy = source.Clone();
        foreach (var property in _settable)
        {
            property.SetValue(target, property.GetValue(copy));
        }
    }
}

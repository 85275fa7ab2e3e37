using System.Globalization;

namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>Command-line configuration settings for the services (<c>--Section:Key=value</c>), as the launcher and tests start them.</summary>
public static class ConfigurationArgument
{
    /// <summary><c>--<paramref name="section"/>:<paramref name="key"/>=<paramref name="value"/></c>, numbers in the invariant culture.</summary>
    public static string Of(string section, string key, object value) =>
        $"--{section}:{key}={Convert.ToString(value, CultureInfo.InvariantCulture)}";
}

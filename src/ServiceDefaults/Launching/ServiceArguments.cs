using System.Collections;

namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>
/// A service's command line, built from configuration settings (<c>--Section:Key=value</c>, through
/// <see cref="ConfigurationArgument"/>) and where it listens (<c>--urls</c>): the one way the launcher, the
/// benchmarks and the tests write a service's settings, with keys from <c>nameof</c>, never as raw strings.
/// </summary>
public sealed class ServiceArguments : IReadOnlyList<string>
{
    private readonly List<string> _arguments = [];

    /// <inheritdoc />
    public int Count => _arguments.Count;

    /// <inheritdoc />
    public string this[int index] => _arguments[index];

    /// <summary>Where the service listens (ASP.NET Core's <c>--urls</c>): <c>http://host:port</c> or <c>http://unix:/path</c>.</summary>
    public ServiceArguments Urls(string urls)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(urls);
        _arguments.Add("--urls");
        _arguments.Add(urls);
        return this;
    }

    /// <summary>Sets <paramref name="section"/>:<paramref name="key"/>; a null value sets nothing (the service's default stays).</summary>
    public ServiceArguments Set(string section, string key, object? value)
    {
        if (value is not null)
        {
            _arguments.Add(ConfigurationArgument.Of(section, key, value));
        }

        return this;
    }

    /// <summary>Sets every key of <paramref name="settings"/> in <paramref name="section"/>.</summary>
    public ServiceArguments SetAll(string section, IEnumerable<KeyValuePair<string, string>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings)
        {
            Set(section, key, value);
        }

        return this;
    }

    /// <inheritdoc />
    public IEnumerator<string> GetEnumerator() => _arguments.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

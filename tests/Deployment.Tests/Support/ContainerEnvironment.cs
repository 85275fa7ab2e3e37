using System.Text;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>One environment variable of a container as the kubelet would set it, with where its value came from.</summary>
internal sealed record EnvironmentEntry(string Name, string? Value, EnvironmentSource Source, string From);

/// <summary>Where a variable's value comes from.</summary>
internal enum EnvironmentSource
{
    Literal,
    ConfigMap,
    Secret,
    Field,
}

/// <summary>
/// A container's environment resolved against the rendered objects: <c>envFrom</c> first, then <c>env</c> (later
/// entries win, as in the kubelet), values from the ConfigMaps and Secrets of the same render. References that do
/// not resolve are reported as problems; optional ones that do not resolve are left out, as the kubelet does.
/// </summary>
internal sealed class ContainerEnvironment
{
    /// <summary>What a <c>fieldRef: metadata.name</c> resolves to here (a pod name as a Deployment makes them).</summary>
    public const string PodNameStandIn = "worker-5d8f7c9b4-x2x9z";

    private readonly Dictionary<string, EnvironmentEntry> _entries = new(StringComparer.Ordinal);

    public ContainerEnvironment(Manifest manifest, V1Container container)
    {
        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? string.Empty;
            if (source.ConfigMapRef is { } mapRef)
            {
                var map = manifest.ConfigMap(mapRef.Name);
                if (map is null)
                {
                    if (mapRef.Optional != true)
                    {
                        Problems.Add($"envFrom ConfigMap {mapRef.Name} does not exist");
                    }

                    continue;
                }

                foreach (var (key, value) in map.Data ?? new Dictionary<string, string>())
                {
                    Set(new EnvironmentEntry(prefix + key, value, EnvironmentSource.ConfigMap, $"configmap/{map.Metadata.Name}"));
                }
            }

            if (source.SecretRef is { } secretRef)
            {
                var secret = manifest.Secret(secretRef.Name);
                if (secret is null)
                {
                    if (secretRef.Optional != true)
                    {
                        Problems.Add($"envFrom Secret {secretRef.Name} does not exist");
                    }

                    continue;
                }

                foreach (var (key, value) in SecretValues(secret))
                {
                    Set(new EnvironmentEntry(prefix + key, value, EnvironmentSource.Secret, $"secret/{secret.Metadata.Name}"));
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is null)
            {
                Set(new EnvironmentEntry(variable.Name, variable.Value ?? string.Empty, EnvironmentSource.Literal, "env"));
            }
            else if (variable.ValueFrom.SecretKeyRef is { } secretKey)
            {
                var secret = manifest.Secret(secretKey.Name);
                if (secret is not null && SecretValues(secret).TryGetValue(secretKey.Key, out var value))
                {
                    Set(new EnvironmentEntry(variable.Name, value, EnvironmentSource.Secret, $"secret/{secretKey.Name}:{secretKey.Key}"));
                }
                else if (secretKey.Optional != true)
                {
                    Problems.Add($"{variable.Name}: Secret {secretKey.Name} has no key {secretKey.Key}");
                }
            }
            else if (variable.ValueFrom.ConfigMapKeyRef is { } mapKey)
            {
                var map = manifest.ConfigMap(mapKey.Name);
                if (map?.Data is not null && map.Data.TryGetValue(mapKey.Key, out var value))
                {
                    Set(new EnvironmentEntry(variable.Name, value, EnvironmentSource.ConfigMap, $"configmap/{mapKey.Name}:{mapKey.Key}"));
                }
                else if (mapKey.Optional != true)
                {
                    Problems.Add($"{variable.Name}: ConfigMap {mapKey.Name} has no key {mapKey.Key}");
                }
            }
            else if (variable.ValueFrom.FieldRef is { } field)
            {
                var value = field.FieldPath == "metadata.name" ? PodNameStandIn : $"<{field.FieldPath}>";
                Set(new EnvironmentEntry(variable.Name, value, EnvironmentSource.Field, field.FieldPath));
            }
            else
            {
                Problems.Add($"{variable.Name}: unsupported valueFrom");
            }
        }
    }

    /// <summary>The variables, by name.</summary>
    public IReadOnlyDictionary<string, EnvironmentEntry> Entries => _entries;

    /// <summary>References that do not resolve.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>A variable's value, or null when it is not set.</summary>
    public string? this[string name] => _entries.TryGetValue(name, out var entry) ? entry.Value : null;

    /// <summary>
    /// The .NET configuration these variables make (the environment-variables provider): <c>__</c> becomes <c>:</c>,
    /// and <c>DOTNET_</c>/<c>ASPNETCORE_</c> variables also appear without their prefix (the host configuration).
    /// </summary>
    public Dictionary<string, string?> ToConfiguration(Func<string, bool>? include = null)
    {
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, entry) in _entries)
        {
            if (include is not null && !include(name))
            {
                continue;
            }

            configuration[name.Replace("__", ":", StringComparison.Ordinal)] = entry.Value;
            foreach (var prefix in (string[])["DOTNET_", "ASPNETCORE_"])
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    configuration[name[prefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = entry.Value;
                }
            }
        }

        return configuration;
    }

    /// <summary>A Secret's values as text (data is base64 in YAML; the client library decodes it to bytes).</summary>
    public static Dictionary<string, string> SecretValues(V1Secret secret)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, bytes) in secret.Data ?? new Dictionary<string, byte[]>())
        {
            values[key] = Encoding.UTF8.GetString(bytes);
        }

        foreach (var (key, text) in secret.StringData ?? new Dictionary<string, string>())
        {
            values[key] = text;
        }

        return values;
    }

    private void Set(EnvironmentEntry entry) => _entries[entry.Name] = entry;
}

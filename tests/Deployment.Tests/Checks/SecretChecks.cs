using A3cGrpc.Deployment.Tests.Support;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>The tokens: in a Secret, referenced where they are needed, and nowhere else.</summary>
internal static class SecretChecks
{
    /// <summary>The variables that carry the push token, one per side.</summary>
    public static readonly IReadOnlyDictionary<A3cServiceKind, string> PushTokenVariables = new Dictionary<A3cServiceKind, string>
    {
        [A3cServiceKind.ParameterServer] = "ParameterServer__PushToken",
        [A3cServiceKind.Worker] = "Worker__PushToken",
    };

    /// <summary>
    /// The server's and the workers' push tokens come from one key of one Secret (secretKeyRef, not optional), and the
    /// key exists there; every other variable whose name ends in Token comes from a Secret as well; no ConfigMap holds
    /// a token key or any Secret value.
    /// </summary>
    public static IEnumerable<string> Problems(Manifest manifest)
    {
        var references = new List<(string Where, string Secret, string Key)>();
        foreach (var (workload, container, service) in manifest.A3cContainers)
        {
            var where = $"{workload} container {container.Name}";
            foreach (var variable in container.Env ?? [])
            {
                if (!variable.Name.EndsWith("Token", StringComparison.Ordinal))
                {
                    continue;
                }

                if (variable.ValueFrom?.SecretKeyRef is not { } reference)
                {
                    yield return $"{where}: {variable.Name} is not taken from a Secret (secretKeyRef)";
                    continue;
                }

                if (PushTokenVariables.TryGetValue(service.Kind, out var pushVariable) && pushVariable == variable.Name)
                {
                    if (reference.Optional == true)
                    {
                        yield return $"{where}: {variable.Name} must not be optional";
                    }

                    var secret = manifest.Secret(reference.Name);
                    if (secret is null || !ContainerEnvironment.SecretValues(secret).ContainsKey(reference.Key))
                    {
                        yield return $"{where}: {variable.Name} refers to {reference.Name}:{reference.Key}, which does not exist";
                    }

                    references.Add((where, reference.Name, reference.Key));
                }
            }

            foreach (var source in container.EnvFrom ?? [])
            {
                if (source.ConfigMapRef is { } mapRef && manifest.ConfigMap(mapRef.Name)?.Data is { } data)
                {
                    foreach (var key in data.Keys.Where(key => key.EndsWith("Token", StringComparison.OrdinalIgnoreCase)))
                    {
                        yield return $"{where}: token {key} comes from ConfigMap {mapRef.Name}";
                    }
                }
            }

            foreach (var (kind, variable) in PushTokenVariables)
            {
                if (kind == service.Kind && !(container.Env ?? []).Any(v => v.Name == variable))
                {
                    yield return $"{where}: {variable} is not set from the Secret";
                }
            }
        }

        if (references.Select(r => (r.Secret, r.Key)).Distinct().Count() > 1)
        {
            yield return "the push token comes from different Secrets or keys: " + string.Join("; ", references.Select(r => $"{r.Where} -> {r.Secret}:{r.Key}"));
        }

        var secretValues = manifest.Secrets.SelectMany(s => ContainerEnvironment.SecretValues(s).Values).Where(v => v.Length >= 8).ToHashSet(StringComparer.Ordinal);
        foreach (var map in manifest.ConfigMaps)
        {
            foreach (var (key, value) in map.Data ?? new Dictionary<string, string>())
            {
                if (key.Contains("Token", StringComparison.OrdinalIgnoreCase))
                {
                    yield return $"configmap/{map.Metadata.Name} has a token key {key}";
                }

                if (secretValues.Any(secret => value.Contains(secret, StringComparison.Ordinal)))
                {
                    yield return $"configmap/{map.Metadata.Name} key {key} contains a Secret's value";
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>
/// The kustomize directories that must render: k8s/ (the local overlay), the base and both overlays. They are rendered
/// from a copy of k8s/ in a temporary folder, so a developer's own files (a real production tokens.env) are never
/// read; the production overlay's copy gets a generated test token in its tokens.env.
/// </summary>
internal static class Targets
{
    /// <summary>Every target, by name.</summary>
    public static readonly IReadOnlyList<Target> All =
    [
        new("root", ".", Production: false),
        new("base", "base", Production: false),
        new("local", "overlays/local", Production: false),
        new("production", "overlays/production", Production: true),
    ];

    /// <summary>The production overlay's token file (ignored by git; the overlay does not render without it).</summary>
    public const string ProductionTokensFile = "overlays/production/tokens.env";

    private static readonly Lazy<string> _copy = new(() =>
    {
        var copy = CopyK8s(withProductionTokens: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(copy, recursive: true);
        return copy;
    });
    private static readonly ConcurrentDictionary<string, Lazy<Manifest>> _rendered = new(StringComparer.Ordinal);

    /// <summary>The push token written into the production copy's tokens.env (random per test run).</summary>
    public static string ProductionTestToken { get; } = "test-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Target names for theories.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var target in All)
            {
                data.Add(target.Name);
            }

            return data;
        }
    }

    /// <summary>The target called <paramref name="name"/>.</summary>
    public static Target Get(string name) => All.Single(target => target.Name == name);

    /// <summary>The rendered and parsed target (rendered once per test run; callers must not mutate it, see <see cref="Manifest.Copy"/>).</summary>
    public static Manifest Render(string name) => _rendered.GetOrAdd(name, key => new Lazy<Manifest>(() =>
    {
        var target = Get(key);
        var result = Kustomize.Render(Path.Combine(_copy.Value, target.Directory));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Kustomize.Kubectl} kustomize k8s/{target.Directory} failed ({result.ExitCode}):\n{result.Messages}");
        }

        return new Manifest(target, result.Yaml);
    })).Value;

    /// <summary>A fresh copy of k8s/ in a temporary folder, without any production tokens.env unless asked for.</summary>
    public static string CopyK8s(bool withProductionTokens)
    {
        var destination = Path.Combine(Path.GetTempPath(), "a3c-k8s-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var file in Directory.EnumerateFiles(Repository.K8s, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.K8s, file);
            if (relative == ProductionTokensFile)
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        if (withProductionTokens)
        {
            File.WriteAllText(Path.Combine(destination, ProductionTokensFile), $"push-token={ProductionTestToken}\n");
        }

        return destination;
    }
}

/// <summary>A kustomize directory under k8s/. Production targets pull versioned images from a registry.</summary>
internal sealed record Target(string Name, string Directory, bool Production);

namespace A3cGrpc.TestSupport;

/// <summary>The repository the tests run from (found by walking up to A3cGrpc.sln) and the image names its build produces.</summary>
public static class RepositoryFiles
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The image names of scripts/images.env, the one place they are written.</summary>
    public static BuiltImages Images { get; } = BuiltImages.Read(Path.Combine(Root, "scripts", "images.env"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "A3cGrpc.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"A3cGrpc.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>The images scripts/build-images.sh builds: repository names and the tag.</summary>
/// <param name="Server">The parameter server's repository name.</param>
/// <param name="Worker">The worker's repository name.</param>
/// <param name="EnvSim">EnvSim's repository name.</param>
/// <param name="Tag">The tag of all three.</param>
public sealed record BuiltImages(string Server, string Worker, string EnvSim, string Tag)
{
    /// <summary>Reads an images.env file (KEY=value lines, # comments).</summary>
    public static BuiltImages Read(string path)
    {
        var values = File.ReadAllLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim().Trim('"'), StringComparer.Ordinal);
        string Get(string key) => values.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new InvalidOperationException($"{path} does not set {key}.");
        return new BuiltImages(Get("A3C_IMAGE_SERVER"), Get("A3C_IMAGE_WORKER"), Get("A3C_IMAGE_ENVSIM"), Get("A3C_IMAGE_TAG"));
    }

    /// <summary><paramref name="repository"/> with this build's tag.</summary>
    public string Tagged(string repository) => $"{repository}:{Tag}";
}

namespace A3cGrpc.EndToEndTests;

/// <summary>The images <c>scripts/build-images.sh</c> builds, named as in <c>scripts/images.env</c> (read, not repeated).</summary>
internal static class BuiltImages
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> _settings = new(Read);

    public static string ParameterServer => Image("A3C_IMAGE_SERVER");

    public static string Worker => Image("A3C_IMAGE_WORKER");

    public static string EnvSim => Image("A3C_IMAGE_ENVSIM");

    private static string Image(string key) => $"{_settings.Value[key]}:{_settings.Value["A3C_IMAGE_TAG"]}";

    private static Dictionary<string, string> Read()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "A3cGrpc.sln")))
        {
            directory = directory.Parent;
        }

        var file = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("A3cGrpc.sln not found above the test folder."), "scripts", "images.env");
        return File.ReadAllLines(file)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
    }
}

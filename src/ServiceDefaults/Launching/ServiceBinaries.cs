namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>
/// Finds the built service programs (<c>A3cGrpc.ParameterServer.dll</c>, <c>A3cGrpc.WorkerService.dll</c>,
/// <c>A3cGrpc.EnvSim.dll</c>) for a launcher on this machine: in <see cref="DirectoryVariable"/> if set (one
/// sub-folder per service), else in the repository's build output beside the caller's
/// (<c>src/&lt;Service&gt;/bin/&lt;Configuration&gt;/net10.0/</c>).
/// </summary>
public static class ServiceBinaries
{
    /// <summary>The parameter server's project name.</summary>
    public const string ParameterServer = "ParameterServer";

    /// <summary>The worker's project name.</summary>
    public const string WorkerService = "WorkerService";

    /// <summary>The simulator's project name.</summary>
    public const string EnvSim = "EnvSim";

    /// <summary>An environment variable naming a folder with one sub-folder per service (e.g. a publish layout).</summary>
    public const string DirectoryVariable = "A3C_SERVICES_DIR";

    /// <summary>The path of <paramref name="service"/>'s program.</summary>
    /// <exception cref="FileNotFoundException">It is not built where expected.</exception>
    public static string Find(string service)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        var fileName = $"A3cGrpc.{service}.dll";
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } root)
        {
            candidates.Add(Path.Combine(root, service, fileName));
        }

        // The caller runs from <repo>/<project dir>/bin/<Configuration>/<tfm>/: use the same configuration and tfm.
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = baseDirectory.Name;
        var configuration = baseDirectory.Parent?.Name;
        for (var folder = baseDirectory; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "A3cGrpc.sln")) && configuration is not null)
            {
                candidates.Add(Path.Combine(folder.FullName, "src", service, "bin", configuration, tfm, fileName));
                break;
            }
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"Cannot find {fileName}; looked in: {string.Join(", ", candidates.DefaultIfEmpty("(no candidate folder)"))}. Build the solution first (dotnet build A3cGrpc.sln -c Release).");
    }
}

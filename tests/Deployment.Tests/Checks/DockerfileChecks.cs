using System.Text.RegularExpressions;
using A3cGrpc.Deployment.Tests.Support;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>One Dockerfile stage: its name (or null) and its instructions (keyword upper-cased, arguments as written).</summary>
internal sealed record DockerStage(string? Name, string From, IReadOnlyList<(string Keyword, string Arguments)> Instructions)
{
    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
}

/// <summary>A Dockerfile: the ARGs before the first FROM, the stages, the raw text.</summary>
internal sealed partial record Dockerfile(string Name, string Text, IReadOnlyDictionary<string, string> GlobalArguments, IReadOnlyList<DockerStage> Stages)
{
    public static Dockerfile Parse(string name, string text)
    {
        // Join continuation lines, drop comments and blank lines.
        var logical = ContinuationRegex().Replace(text, " ").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'));
        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        foreach (var line in logical)
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            var keyword = parts[0].ToUpperInvariant();
            var arguments = parts.Length > 1 ? parts[1] : string.Empty;
            if (keyword == "FROM")
            {
                var from = arguments.Split(" AS ", 2, StringSplitOptions.TrimEntries);
                stages.Add(new DockerStage(from.Length > 1 ? from[1] : null, from[0], []));
            }
            else if (stages.Count == 0 && keyword == "ARG")
            {
                var argument = arguments.Split('=', 2);
                globals[argument[0]] = argument.Length > 1 ? argument[1] : string.Empty;
            }
            else if (stages.Count > 0)
            {
                var stage = stages[^1];
                stages[^1] = stage with { Instructions = [.. stage.Instructions, (keyword, arguments)] };
            }
        }

        return new Dockerfile(name, text, globals, stages);
    }

    /// <summary>The stage a build with <c>--target <paramref name="target"/></c> makes (the last one without a target).</summary>
    public DockerStage? Stage(string? target) => target is null ? (Stages.Count > 0 ? Stages[^1] : null) : Stages.SingleOrDefault(s => s.Name == target);

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuationRegex();
}

/// <summary>
/// How scripts/build-images.sh makes one image: the Dockerfile and target, and the project it publishes into
/// artifacts/images/&lt;folder&gt;/ (read from the script, the one place that says so).
/// </summary>
internal sealed record ImageBuild(A3cService Service, string Dockerfile, string? Target, string Project, string PublishFolder)
{
    public string AssemblyName => "A3cGrpc." + Path.GetFileNameWithoutExtension(Project);
}

/// <summary>The Dockerfiles against the code, the build script and the Kubernetes manifests.</summary>
internal static partial class DockerfileChecks
{
    public const string DefaultBaseImage = "mcr.microsoft.com/dotnet/runtime-deps:10.0";

    /// <summary>The image builds of a build script's text.</summary>
    public static IReadOnlyList<ImageBuild> Builds(string script)
    {
        var variables = new Dictionary<string, A3cService>(StringComparer.Ordinal)
        {
            ["A3C_IMAGE_SERVER"] = A3cService.ParameterServer,
            ["A3C_IMAGE_WORKER"] = A3cService.Worker,
            ["A3C_IMAGE_ENVSIM"] = A3cService.EnvSim,
        };
        var folders = PublishRegex().Matches(script).ToDictionary(m => m.Groups["project"].Value, m => m.Groups["folder"].Value, StringComparer.Ordinal);
        return [.. BuildRegex().Matches(script).Select(m =>
        {
            var service = variables[m.Groups["variable"].Value];
            var project = ProjectOf(service);
            return new ImageBuild(
                service,
                m.Groups["file"].Value,
                m.Groups["target"].Success ? m.Groups["target"].Value : null,
                project,
                folders.GetValueOrDefault(project) ?? $"(nothing publishes {project})");
        })];
    }

    /// <summary>Every problem with <paramref name="build"/>'s stage in <paramref name="file"/>; the manifest gives the containers' users.</summary>
    public static IEnumerable<string> Problems(ImageBuild build, Dockerfile file, Manifest manifest)
    {
        var what = $"{file.Name}{(build.Target is null ? string.Empty : $" --target {build.Target}")} ({build.Service})";
        if (!file.GlobalArguments.TryGetValue("BASE_IMAGE", out var baseImage) || baseImage != DefaultBaseImage)
        {
            yield return $"{file.Name}: ARG BASE_IMAGE before the first FROM must default to {DefaultBaseImage}";
        }

        foreach (var syntax in new[] { "# syntax=", "--mount", "--link", "--chmod", "<<" })
        {
            if (file.Text.Contains(syntax, StringComparison.Ordinal))
            {
                yield return $"{file.Name}: '{syntax}' needs BuildKit; the files keep to the classic builder";
            }
        }

        if (file.Stage(build.Target) is not { } stage)
        {
            yield return $"{what}: no such stage";
            yield break;
        }

        if (stage.From != "${BASE_IMAGE}")
        {
            yield return $"{what}: FROM {stage.From}, not FROM ${{BASE_IMAGE}}";
        }

        var copies = stage.Arguments("COPY").ToList();
        string[] expectedCopies = [$"artifacts/images/{build.PublishFolder}/deps/ /app/", $"artifacts/images/{build.PublishFolder}/app/ /app/"];
        if (!copies.SequenceEqual(expectedCopies))
        {
            yield return $"{what}: COPY [{string.Join("; ", copies)}], expected the published deps/ then app/ of {build.PublishFolder}";
        }

        if (stage.Arguments("ENTRYPOINT").SingleOrDefault() != $"[\"/app/{build.AssemblyName}\"]")
        {
            yield return $"{what}: ENTRYPOINT is not [\"/app/{build.AssemblyName}\"] (the published {build.Project})";
        }

        var ports = Environment(stage).GetValueOrDefault(A3cService.HttpPortsVariable);
        var exposed = stage.Arguments("EXPOSE").SingleOrDefault();
        var expectedPort = build.Service.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (ports != expectedPort || exposed != expectedPort)
        {
            yield return $"{what}: {A3cService.HttpPortsVariable}={ports ?? "(unset)"} and EXPOSE {exposed ?? "(none)"}, expected {expectedPort ?? "neither (not a server)"}";
        }

        var user = stage.Arguments("USER").LastOrDefault();
        foreach (var (_, container) in manifest.Containers.Where(c => A3cService.ForImage(c.Container.Image) == build.Service))
        {
            var context = container.SecurityContext;
            if (user != $"{context?.RunAsUser}:{context?.RunAsGroup}")
            {
                yield return $"{what}: USER {user ?? "(root)"}, but container '{container.Name}' runs as {context?.RunAsUser}:{context?.RunAsGroup}";
            }
        }
    }

    /// <summary>The ENV values a stage sets (<c>ENV A=1 B=2</c> form).</summary>
    public static Dictionary<string, string> Environment(DockerStage stage) =>
        stage.Arguments("ENV")
            .SelectMany(arguments => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    /// <summary>The project each program is built from.</summary>
    public static string ProjectOf(A3cService service) => service.Kind switch
    {
        A3cServiceKind.ParameterServer => "src/ParameterServer/ParameterServer.csproj",
        A3cServiceKind.Worker => "src/WorkerService/WorkerService.csproj",
        _ => "src/EnvSim/EnvSim.csproj",
    };

    [GeneratedRegex(@"^timed \w+ publish (?<project>\S+\.csproj) (?<folder>[\w-]+)", RegexOptions.Multiline)]
    private static partial Regex PublishRegex();

    [GeneratedRegex(@"^timed \w+ build ""\$(?<variable>A3C_IMAGE_\w+)"" (?<file>Dockerfile\.\w+)(?: (?<target>\w+))?\s*$", RegexOptions.Multiline)]
    private static partial Regex BuildRegex();
}

using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace A3cGrpc.Architecture.Tests;

/// <summary>The projects under <c>src/</c> as their project files and sources say: references, packages, namespaces used.</summary>
internal sealed partial class ProjectGraph
{
    private ProjectGraph(IReadOnlyDictionary<string, SourceProject> projects) => Projects = projects;

    /// <summary>Every project under <c>src/</c>, by name (the folder's: "EnvSim", "Learning").</summary>
    public IReadOnlyDictionary<string, SourceProject> Projects { get; }

    /// <summary>Reads the repository this test runs from.</summary>
    public static ProjectGraph Load()
    {
        var root = RepositoryRoot();
        var projects = new Dictionary<string, SourceProject>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var folder = Path.GetDirectoryName(file)!;
            var xml = XDocument.Load(file);
            var references = xml.Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToHashSet();
            var packages = xml.Descendants("PackageReference").Select(p => p.Attribute("Include")!.Value).ToHashSet();
            var sources = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                            && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(File.ReadAllText)
                .ToList();
            projects[name] = new SourceProject(name, references, packages, sources);
        }

        return new ProjectGraph(projects);
    }

    /// <summary><paramref name="project"/> and every project it reaches through references.</summary>
    public IReadOnlySet<string> Closure(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var reference in Projects[next].References)
                {
                    pending.Push(reference);
                }
            }
        }

        return seen;
    }

    /// <summary>Every package of <paramref name="project"/>'s closure (its own and its references').</summary>
    public IReadOnlySet<string> PackagesOf(string project) =>
        Closure(project).SelectMany(p => Projects[p].Packages).ToHashSet();

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "A3cGrpc.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No A3cGrpc.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>One project: its name, direct project references, direct packages and source texts.</summary>
internal sealed partial record SourceProject(string Name, IReadOnlySet<string> References, IReadOnlySet<string> Packages, IReadOnlyList<string> Sources)
{
    /// <summary>
    /// True when some source names a namespace of project <paramref name="reference"/> (<c>A3cGrpc.&lt;reference&gt;</c>
    /// in a using directive or a qualified name, or the Contracts' generated <c>A3cGrpc.Contracts.V1</c>).
    /// </summary>
    public bool Uses(string reference)
    {
        var pattern = new Regex($@"\bA3cGrpc\.{Regex.Escape(reference)}\b");
        return Sources.Any(source => pattern.IsMatch(WithoutComments(source)));
    }

    private static string WithoutComments(string source) => CommentPattern().Replace(source, "");

    [GeneratedRegex(@"//.*?$|/\*.*?\*/", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CommentPattern();
}

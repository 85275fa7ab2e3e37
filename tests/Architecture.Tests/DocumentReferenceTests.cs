using System.Text.RegularExpressions;

namespace A3cGrpc.Architecture.Tests;

/// <summary>
/// References that lead somewhere: every document the code and the scripts cite is in the repo's docs/, and every
/// section (§) a source cites exists in the environment's specification (docs/env-spec.md).
/// </summary>
public sealed partial class DocumentReferenceTests
{
    private static readonly string _root = ProjectGraph.RepositoryRoot();

    // The folder beside the repo that the background documents came from (spelt in two parts so this file is not a hit).
    private static readonly string _outsideFolder = "../" + "shared/";

    [Fact]
    public void CitedDocuments_AreAllInTheRepository()
    {
        var missing = RepositoryTexts()
            .SelectMany(file => DocumentPath().Matches(file.Text).Select(m => (file.Path, Document: m.Value)))
            .Where(r => !File.Exists(Path.Combine(_root, r.Document)))
            .Select(r => $"{r.Path} cites {r.Document}")
            .Distinct()
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void SectionReferences_InSources_ResolveInTheEnvironmentSpecification()
    {
        var sections = SpecificationSections();
        var sources = RepositoryTexts().Where(f => f.Path.EndsWith(".cs", StringComparison.Ordinal) && f.Text.Contains('§', StringComparison.Ordinal)).ToList();

        var unresolved = sources
            .SelectMany(file => SectionReference().Matches(file.Text).Select(m => (file.Path, Section: m.Groups[1].Value.TrimEnd('.'))))
            .Where(r => !sections.Contains(r.Section))
            .Select(r => $"{r.Path} cites §{r.Section}")
            .Distinct()
            .ToList();
        var unnamed = sources.Where(f => !f.Text.Contains("env-spec.md", StringComparison.Ordinal)).Select(f => f.Path).ToList();

        Assert.True(sections.Count >= 20, $"only {sections.Count} sections read from docs/env-spec.md");
        Assert.True(sources.Count > 10, $"only {sources.Count} sources cite sections: is the scan reading the tree?");
        Assert.Empty(unresolved);
        Assert.Empty(unnamed); // a § with no document named beside it leads nowhere
    }

    [Fact]
    public void NothingPointsOutsideTheRepository()
    {
        var outside = RepositoryTexts()
            .Where(f => f.Text.Contains(_outsideFolder, StringComparison.Ordinal) || StyleGuide().IsMatch(f.Text))
            .Select(f => f.Path)
            .ToList();

        Assert.Empty(outside);
    }

    /// <summary>The numbers of docs/env-spec.md's sections: headings (<c>## 1.</c>, <c>### 2.1</c>) and bold paragraphs (<c>**5.1</c>).</summary>
    private static HashSet<string> SpecificationSections() =>
        [.. SpecificationHeading().Matches(File.ReadAllText(Path.Combine(_root, "docs", "env-spec.md"))).Select(m => m.Groups[1].Value.TrimEnd('.'))];

    /// <summary>The repo's own texts: sources, scripts, build files, manifests and docs (no build output, no git data).</summary>
    private static IEnumerable<(string Path, string Text)> RepositoryTexts()
    {
        string[] extensions = [".cs", ".csproj", ".props", ".targets", ".sh", ".yaml", ".yml", ".md", ".proto", ".txt", ".cpp", ".h"];
        return Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_root, path))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git" or "runs" or "node_modules"))
            .Where(path => extensions.Contains(Path.GetExtension(path)) || Path.GetFileName(path).StartsWith("Dockerfile", StringComparison.Ordinal)
                           || path.StartsWith(".ci", StringComparison.Ordinal))
            .Select(path => (path, File.ReadAllText(Path.Combine(_root, path))));
    }

    [GeneratedRegex(@"\bdocs/[A-Za-z0-9_-]+\.md")]
    private static partial Regex DocumentPath();

    [GeneratedRegex(@"§\s?(\d+(?:\.\d+)*\.?)")]
    private static partial Regex SectionReference();

    [GeneratedRegex(@"^(?:#{2,4} |\*\*)(\d+(?:\.\d+)*\.?)[ *]", RegexOptions.Multiline)]
    private static partial Regex SpecificationHeading();

    [GeneratedRegex(@"\bstyle\.md\b")]
    private static partial Regex StyleGuide();
}

namespace A3cGrpc.Architecture.Tests;

/// <summary>
/// The rules of docs/architecture.md, "What may reference what": each project references only what its row allows,
/// uses every project it references, and the services carry only the native stacks they run.
/// </summary>
public sealed class ProjectGraphTests
{
    /// <summary>What each project under src/ may reference (a new project needs a row here and in the doc).</summary>
    private static readonly Dictionary<string, string[]> _allowed = new()
    {
        ["Contracts"] = [],
        ["Simulation"] = [],
        ["Learning"] = [],
        ["ServiceDefaults"] = [],
        ["Distributed"] = ["Contracts", "Learning", "ServiceDefaults"],
        ["Experiments"] = ["Learning", "Simulation", "ServiceDefaults"],
        ["EnvSim"] = ["Contracts", "ServiceDefaults", "Simulation"],
        ["WorkerService"] = ["Contracts", "Distributed", "Learning", "ServiceDefaults"],
        ["ParameterServer"] = ["Contracts", "Distributed", "Experiments", "Learning", "ServiceDefaults", "Simulation"],
        ["Cli"] = ["Contracts", "Distributed", "Experiments", "Learning", "ServiceDefaults", "Simulation"],
    };

    private static readonly ProjectGraph _graph = ProjectGraph.Load();

    public static TheoryData<string> Projects() => [.. _graph.Projects.Keys.Order()];

    [Fact]
    public void EveryProject_HasARule()
    {
        Assert.Equal(_allowed.Keys.Order(), _graph.Projects.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void References_AreOnlyThoseItsRuleAllows(string project)
    {
        var forbidden = _graph.Projects[project].References.Except(_allowed.GetValueOrDefault(project, [])).Order().ToList();
        Assert.True(forbidden.Count == 0, $"{project} references {string.Join(", ", forbidden)}, which docs/architecture.md does not allow.");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void References_AreAllUsedByItsCode(string project)
    {
        var source = _graph.Projects[project];
        var unused = source.References.Where(reference => !source.Uses(reference)).Order().ToList();
        Assert.True(unused.Count == 0, $"{project} references {string.Join(", ", unused)} but none of its code names A3cGrpc.<that project>.");
    }

    [Theory]
    [InlineData("EnvSim")]
    [InlineData("WorkerService")]
    [InlineData("ParameterServer")]
    public void Services_ReferenceTheContractsDirectly(string service) =>
        Assert.Contains("Contracts", _graph.Projects[service].References);

    [Fact]
    public void EnvSim_CarriesNoTorchSharp()
    {
        Assert.DoesNotContain("Learning", _graph.Closure("EnvSim"));
        Assert.DoesNotContain(_graph.PackagesOf("EnvSim"), p => p.StartsWith("TorchSharp", StringComparison.Ordinal) || p.StartsWith("libtorch", StringComparison.Ordinal));
    }

    [Fact]
    public void Worker_CarriesNoBulletAndNoPlotting()
    {
        Assert.DoesNotContain("Simulation", _graph.Closure("WorkerService"));
        Assert.DoesNotContain("Experiments", _graph.Closure("WorkerService"));
    }

    [Fact]
    public void ServiceDefaults_KnowsNoA3cCode()
    {
        Assert.Empty(_graph.Projects["ServiceDefaults"].References);
    }

    [Fact]
    public void Uses_FindsANamespaceInCode_NotInComments()
    {
        var commented = new SourceProject("X", new HashSet<string>(), new HashSet<string>(), ["// using A3cGrpc.Learning;\nnamespace A3cGrpc.X;"]);
        var used = new SourceProject("X", new HashSet<string>(), new HashSet<string>(), ["using A3cGrpc.Learning.Interop;"]);

        Assert.False(commented.Uses("Learning"));
        Assert.True(used.Uses("Learning"));
    }
}

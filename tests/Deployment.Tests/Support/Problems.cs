namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>Assertions over the problem lists the checks return (each check returns every problem it finds).</summary>
internal static class Problems
{
    /// <summary>Passes when there are no problems; otherwise fails listing all of them.</summary>
    public static void AssertNone(IEnumerable<string> problems, Manifest manifest)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"k8s target '{manifest.Target.Name}': {list.Count} problem(s):\n - {string.Join("\n - ", list)}");
    }

    /// <summary>For the tests that break a copy on purpose: some problem mentions <paramref name="expected"/>.</summary>
    public static void AssertFound(IEnumerable<string> problems, string expected)
    {
        var list = problems.ToList();
        Assert.True(
            list.Exists(problem => problem.Contains(expected, StringComparison.Ordinal)),
            $"Expected a problem mentioning '{expected}'; got {list.Count}:\n - {string.Join("\n - ", list)}");
    }
}

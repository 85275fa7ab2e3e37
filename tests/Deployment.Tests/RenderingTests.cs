using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests;

/// <summary>Every kustomize target renders (with the kubectl in use) into objects the Kubernetes API knows.</summary>
public class RenderingTests
{
    private static readonly Type[] _expectedKinds =
    [
        typeof(V1Namespace), typeof(V1ConfigMap), typeof(V1Secret), typeof(V1Service), typeof(V1PersistentVolumeClaim),
        typeof(V1Deployment), typeof(V1NetworkPolicy), typeof(V1PodDisruptionBudget),
    ];

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Render_Target_ParsesStrictlyIntoKnownKinds(string target)
    {
        var manifest = Targets.Render(target);

        Assert.NotEmpty(manifest.Objects);
        Assert.All(manifest.Objects, item => Assert.Contains(item.GetType(), _expectedKinds));
    }

    [Fact]
    public void Render_Root_IsTheLocalOverlay()
    {
        Assert.Equal(Targets.Render("local").Yaml, Targets.Render("root").Yaml);
    }

    [Fact]
    public void Render_ProductionWithoutTokensFile_Fails()
    {
        var copy = Targets.CopyK8s(withProductionTokens: false);
        try
        {
            var result = Kustomize.Render(Path.Combine(copy, Targets.Get("production").Directory));

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("tokens.env", result.Messages, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void Render_PushTokens_BaseIsAMarkedPlaceholderThatProductionReplaces()
    {
        string PushToken(string target) =>
            ContainerEnvironment.SecretValues(Targets.Render(target).Secrets.Single())["push-token"];

        var placeholder = PushToken("base");

        Assert.Contains("placeholder", placeholder, StringComparison.OrdinalIgnoreCase);
        Assert.True(placeholder.Length >= 16, "the placeholder must pass the 16-character minimum, or nothing starts");
        Assert.Equal(placeholder, PushToken("local"));
        Assert.Equal(Targets.ProductionTestToken, PushToken("production"));
    }
}

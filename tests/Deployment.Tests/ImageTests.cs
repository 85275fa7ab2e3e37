using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;

namespace A3cGrpc.Deployment.Tests;

public class ImageTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Images_Target_AreTheBuiltImages(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(ImageChecks.Problems(manifest), manifest);
    }

    [Fact]
    public void Images_ServerImageMisspelt_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        manifest.Deployment("parameter-server").Spec.Template.Spec.Containers[0].Image = "a3cgrpc/paramserver:dev";

        Problems.AssertFound(ImageChecks.Problems(manifest), "not the ParameterServer image");
    }

    [Fact]
    public void Images_ProductionWithDevelopmentTag_IsFound()
    {
        var manifest = Targets.Render("production").Copy();
        var envsim = manifest.Deployment("worker").Spec.Template.Spec.Containers.Single(c => c.Name == "envsim");
        envsim.Image = $"registry.example.com/{Repository.Images.EnvSim}:{Repository.Images.Tag}";

        Problems.AssertFound(ImageChecks.Problems(manifest), "needs a version tag");
    }
}

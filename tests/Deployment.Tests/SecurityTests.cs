using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;

namespace A3cGrpc.Deployment.Tests;

public class SecurityTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void SecurityContexts_Target_AreRestricted(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(SecurityChecks.ContextProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void WritablePaths_Target_AreWritableVolumes(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(SecurityChecks.WritablePathProblems(manifest), manifest);
    }

    [Fact]
    public void SecurityContexts_WritableRootAndRoot_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var server = manifest.Deployment("parameter-server").Spec.Template.Spec.Containers[0];
        server.SecurityContext.ReadOnlyRootFilesystem = false;
        server.SecurityContext.RunAsUser = 0;

        var problems = SecurityChecks.ContextProblems(manifest).ToList();

        Problems.AssertFound(problems, "container parameter-server: readOnlyRootFilesystem is not true");
        Problems.AssertFound(problems, "container parameter-server: does not run as the image's user and group 10001");
    }

    [Fact]
    public void WritablePaths_SidecarWithoutTmp_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var envsim = manifest.Deployment("worker").Spec.Template.Spec.Containers.Single(c => c.Name == "envsim");
        envsim.VolumeMounts.Clear();

        Problems.AssertFound(SecurityChecks.WritablePathProblems(manifest), "container envsim (EnvSim): /tmp is not on a writable volume");
    }

    [Fact]
    public void WritablePaths_SpanFileOnTheRootFilesystem_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigurationTests.ConfigMap(manifest, "worker-config").Data["Telemetry__SpanFile"] = "/app/spans/worker.jsonl";

        Problems.AssertFound(SecurityChecks.WritablePathProblems(manifest), "/app/spans is not on a writable volume");
    }
}

using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests;

public class WorkloadTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Selectors_Target_SelectTheirPods(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(WorkloadChecks.SelectorProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void ParameterServer_Target_IsOneReplicaOnItsVolume(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(WorkloadChecks.ParameterServerProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void WorkerPods_Target_HoldAWorkerAndItsSidecar(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(WorkloadChecks.WorkerPodProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Metadata_Target_NamespaceAndLabelsEverywhere(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(WorkloadChecks.MetadataProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Resources_Target_RequestsAndLimitsOnEveryContainer(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(WorkloadChecks.ResourceProblems(manifest), manifest);
    }

    [Fact]
    public void Workers_ProductionOverlay_RunsMoreWorkersWithAVersionedImage()
    {
        var local = Targets.Render("local").Deployment("worker");
        var production = Targets.Render("production").Deployment("worker");

        Assert.Equal(2, local.Spec.Replicas);
        Assert.True(production.Spec.Replicas >= 8, $"production runs {production.Spec.Replicas} workers");
        Assert.Single(Targets.Render("production").DisruptionBudgets);
    }

    [Fact]
    public void Selectors_ServiceSelectorMisspelt_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        manifest.Service("parameter-server")!.Spec.Selector["app.kubernetes.io/name"] = "parameterserver";

        Problems.AssertFound(WorkloadChecks.SelectorProblems(manifest), "service/parameter-server: selects no pods");
    }

    [Fact]
    public void ParameterServer_TwoReplicasRollingUpdate_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var deployment = manifest.Deployment("parameter-server");
        deployment.Spec.Replicas = 2;
        deployment.Spec.Strategy = new V1DeploymentStrategy { Type = "RollingUpdate" };

        var problems = WorkloadChecks.ParameterServerProblems(manifest).ToList();

        Problems.AssertFound(problems, "replicas 2, must be 1");
        Problems.AssertFound(problems, "strategy RollingUpdate, must be Recreate");
    }

    [Fact]
    public void ParameterServer_RunDirectoryOffTheVolume_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigurationTests.ConfigMap(manifest, "parameter-server-config").Data["ParameterServer__RunDirectory"] = "/tmp/run";

        Problems.AssertFound(WorkloadChecks.ParameterServerProblems(manifest), "the run directory's parent /tmp is not a writable mount of a PersistentVolumeClaim");
    }

    [Fact]
    public void ParameterServer_GracePeriodShorterThanTheShutdown_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        manifest.Deployment("parameter-server").Spec.Template.Spec.TerminationGracePeriodSeconds = 30;

        Problems.AssertFound(WorkloadChecks.ParameterServerProblems(manifest), "leaves no room after the host's shutdown timeout");
    }

    [Fact]
    public void Metadata_MissingNamespaceAndLabel_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var service = manifest.Service("jaeger")!;
        service.Metadata.NamespaceProperty = null;
        service.Metadata.Labels.Remove("app.kubernetes.io/component");

        var problems = WorkloadChecks.MetadataProblems(manifest).ToList();

        Problems.AssertFound(problems, "V1Service jaeger: namespace ''");
        Problems.AssertFound(problems, "V1Service jaeger: no label app.kubernetes.io/component");
    }

    [Fact]
    public void Resources_MissingMemoryLimit_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigurationTests.Worker(manifest).Resources.Limits.Remove("memory");

        Problems.AssertFound(WorkloadChecks.ResourceProblems(manifest), "container worker: no memory limit");
    }
}

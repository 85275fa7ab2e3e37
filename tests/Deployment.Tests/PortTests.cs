using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests;

public class PortTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Ports_Target_AreTheProgramsPortsAndServicesResolve(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(PortChecks.ListenProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Addresses_Target_LeadToTheirPrograms(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(PortChecks.AddressProblems(manifest), manifest);
    }

    [Fact]
    public void Ports_SidecarOnAnotherPort_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        Envsim(manifest).Ports[0].ContainerPort = 50053;

        Problems.AssertFound(PortChecks.ListenProblems(manifest), "expected [50052/TCP]");
        Problems.AssertFound(PortChecks.AddressProblems(manifest), "is no EnvSim sidecar port in the same pod");
    }

    [Fact]
    public void Ports_ServerWithoutItsPolicyPort_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var server = manifest.Deployment("parameter-server").Spec.Template.Spec.Containers.Single(c => c.Name == "parameter-server");
        server.Env.Single(v => v.Name == A3cService.HttpPortsVariable).Value = "50051";
        server.Ports.RemoveAt(1);

        var problems = PortChecks.ListenProblems(manifest).ToList();

        Problems.AssertFound(problems, "declares ports [50051/TCP], expected [50051/TCP, 50053/TCP]");
        Problems.AssertFound(problems, "ASPNETCORE_HTTP_PORTS=50051, but the program's ports are 50051;50053");
    }

    [Fact]
    public void Ports_HttpPortsDisagreeing_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        Envsim(manifest).Env.Single(v => v.Name == A3cService.HttpPortsVariable).Value = "8080";

        Problems.AssertFound(PortChecks.ListenProblems(manifest), "ASPNETCORE_HTTP_PORTS=8080");
    }

    [Fact]
    public void Ports_ServiceTargetPortUndeclared_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        manifest.Service("parameter-server")!.Spec.Ports[0].TargetPort = "http";

        Problems.AssertFound(PortChecks.ListenProblems(manifest), "targetPort http matches 0 declared container ports");
    }

    [Fact]
    public void Addresses_WorkerPointedAtTheWrongPort_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigurationTests.Worker(manifest).Env.Single(v => v.Name == "Worker__ParameterServerAddress").Value = "http://parameter-server:50052";

        Problems.AssertFound(PortChecks.AddressProblems(manifest), "Service parameter-server has no port 50052");
    }

    [Fact]
    public void Addresses_CollectorExportingToAMissingService_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var config = ConfigurationTests.ConfigMap(manifest, "otel-collector-config");
        var key = config.Data.Keys.Single();
        config.Data[key] = config.Data[key].Replace("endpoint: jaeger:4317", "endpoint: tempo:4317", StringComparison.Ordinal);

        Problems.AssertFound(PortChecks.AddressProblems(manifest), "'tempo' is not a Service");
    }

    private static V1Container Envsim(Manifest manifest) =>
        manifest.Deployment("worker").Spec.Template.Spec.Containers.Single(c => c.Name == "envsim");
}

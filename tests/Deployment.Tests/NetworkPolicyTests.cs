using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests;

public class NetworkPolicyTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Ingress_Target_AdmitsExactlyTheIntendedClients(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(NetworkPolicyChecks.Problems(manifest), manifest);
    }

    [Fact]
    public void Ingress_ServerOpenToEveryPod_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ServerPolicy(manifest).Spec.Ingress[0].FromProperty = null;

        var problems = NetworkPolicyChecks.Problems(manifest).ToList();

        Problems.AssertFound(problems, "deployment/otel-collector can reach deployment/parameter-server port 50051");
        Problems.AssertFound(problems, "an unlabelled pod can reach deployment/parameter-server port 50051");
    }

    [Fact]
    public void Ingress_ServerWithoutTheWorkerRule_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ServerPolicy(manifest).Spec.Ingress.RemoveAt(0);

        Problems.AssertFound(NetworkPolicyChecks.Problems(manifest), "deployment/worker cannot reach deployment/parameter-server port 50051");
    }

    [Fact]
    public void Ingress_PolicyClientsAdmittedToTheMainPort_IsFound()
    {
        // The push API lives on the main port: policy clients belong on the policy port alone.
        var manifest = Targets.Render("local").Copy();
        var rules = ServerPolicy(manifest).Spec.Ingress;
        rules[0].FromProperty.Add(rules[1].FromProperty[0]);

        Problems.AssertFound(NetworkPolicyChecks.Problems(manifest), "a policy client can reach deployment/parameter-server port 50051");
    }

    [Fact]
    public void Ingress_WithoutTheDefaultDeny_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        manifest.RemoveAll(item => item is V1NetworkPolicy { Metadata.Name: "default-deny-ingress" });

        Problems.AssertFound(NetworkPolicyChecks.Problems(manifest), "an unlabelled pod can reach deployment/worker port 50052");
    }

    private static V1NetworkPolicy ServerPolicy(Manifest manifest) =>
        manifest.NetworkPolicies.Single(p => p.Metadata.Name == "parameter-server-ingress");
}

using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests;

public class SecretTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Tokens_Target_ComeFromOneSecretKeyAndNoConfigMap(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(SecretChecks.Problems(manifest), manifest);
    }

    [Fact]
    public void Tokens_ServerTokenInTheConfigMap_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var server = manifest.Deployment("parameter-server").Spec.Template.Spec.Containers[0];
        server.Env.Remove(server.Env.Single(v => v.Name == "ParameterServer__PushToken"));
        ConfigurationTests.ConfigMap(manifest, "parameter-server-config").Data["ParameterServer__PushToken"] = "a-token-in-plain-sight";

        var problems = SecretChecks.Problems(manifest).ToList();

        Problems.AssertFound(problems, "token ParameterServer__PushToken comes from ConfigMap");
        Problems.AssertFound(problems, "ParameterServer__PushToken is not set from the Secret");
    }

    [Fact]
    public void Tokens_WorkerReadsAnotherKey_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        var token = ConfigurationTests.Worker(manifest).Env.Single(v => v.Name == "Worker__PushToken");
        token.ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = token.ValueFrom.SecretKeyRef.Name, Key = "token" } };

        var problems = SecretChecks.Problems(manifest).ToList();

        Problems.AssertFound(problems, "which does not exist");
        Problems.AssertFound(problems, "different Secrets or keys");
    }
}

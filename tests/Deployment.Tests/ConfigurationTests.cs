using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;
using A3cGrpc.Learning;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests;

public class ConfigurationTests
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Variables_Target_AreReadByTheirProgramAndRequiredOnesAreSet(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(ConfigurationChecks.VariableProblems(manifest), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Values_Target_BindAndValidateAsAtStartUp(string target)
    {
        var manifest = Targets.Render(target);

        Problems.AssertNone(ConfigurationChecks.ValueProblems(manifest), manifest);
    }

    [Fact]
    public void Variables_MisspeltKey_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        Worker(manifest).Env.Single(v => v.Name == "Worker__EnvSimAddress").Name = "Worker__EnvSimAdress";

        var problems = ConfigurationChecks.VariableProblems(manifest).ToList();

        Problems.AssertFound(problems, "WorkerOptions has no public settable property 'EnvSimAdress'");
        Problems.AssertFound(problems, "required Worker__EnvSimAddress is not set");
    }

    [Fact]
    public void Variables_ServerSectionInTheWorkersConfigMap_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigMap(manifest, "worker-config").Data["ParameterServer__MaxStaleness"] = "8";

        Problems.AssertFound(ConfigurationChecks.VariableProblems(manifest), "binds sections Worker, Telemetry, not 'ParameterServer'");
    }

    [Fact]
    public void Values_OutOfRange_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigMap(manifest, "parameter-server-config").Data["ParameterServer__MaxStaleness"] = "-1";
        ConfigMap(manifest, "parameter-server-config").Data["A3c__Gamma"] = "1.5";

        var problems = ConfigurationChecks.ValueProblems(manifest).ToList();

        Problems.AssertFound(problems, "MaxStaleness");
        Problems.AssertFound(problems, "Gamma");
    }

    [Fact]
    public void Values_UnparsableNumber_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigMap(manifest, "envsim-config").Data["Simulator__MaxSessions"] = "two";

        Problems.AssertFound(ConfigurationChecks.ValueProblems(manifest), "Simulator:");
    }

    [Fact]
    public void Values_MoreEnvironmentsThanTheSidecarAllows_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigMap(manifest, "worker-config").Data["Worker__Environments"] = "128";

        Problems.AssertFound(ConfigurationChecks.ValueProblems(manifest), "exceeds the sidecar's Simulator:MaxEnvironments");
    }

    [Fact]
    public void Values_ServerHyperparametersAskMoreEnvironmentsThanTheSidecarAllows_IsFound()
    {
        // Workers without Worker__Environments step the server's A3c:Environments.
        var manifest = Targets.Render("local").Copy();
        ConfigMap(manifest, "parameter-server-config").Data["A3c__Environments"] = "128";

        Problems.AssertFound(ConfigurationChecks.ValueProblems(manifest), "the server's A3c:Environments 128 exceeds");
    }

    [Fact]
    public void Values_UnknownPreset_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        ConfigMap(manifest, "parameter-server-config").Data["A3c__Preset"] = "fastest";

        Problems.AssertFound(ConfigurationChecks.ValueProblems(manifest), "Preset 'fastest' is not known");
    }

    [Fact]
    public void Values_Rendered_ServerRunsTheDefaultPreset()
    {
        var manifest = Targets.Render("local");
        var server = manifest.A3cContainers.Single(c => c.Service.Kind == A3cServiceKind.ParameterServer).Container;

        var hyperparameters = ConfigurationChecks.Bind<A3cHyperparameters>(manifest, server);

        Assert.Equal(HyperparameterPresets.DefaultName, hyperparameters!.Preset);
        Assert.Equal(HyperparameterPresets.Create(HyperparameterPresets.DefaultName).NormalizeObservations, hyperparameters.NormalizeObservations);
    }

    internal static V1ConfigMap ConfigMap(Manifest manifest, string generatorName) =>
        manifest.ConfigMaps.Single(map => map.Metadata.Name.StartsWith(generatorName + "-", StringComparison.Ordinal));

    internal static V1Container Worker(Manifest manifest) =>
        manifest.Deployment("worker").Spec.Template.Spec.Containers.Single(c => c.Name == "worker");
}

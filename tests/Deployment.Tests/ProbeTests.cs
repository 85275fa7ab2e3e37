extern alias EnvSimApp;
using System.Text.Json;
using A3cGrpc.Deployment.Tests.Checks;
using A3cGrpc.Deployment.Tests.Support;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using EnvSimApp::A3cGrpc.EnvSim.Options;

namespace A3cGrpc.Deployment.Tests;

/// <summary>The probes and settings against the real programs, started in process with each target's configuration.</summary>
public class ProbeTests(LiveServices live) : IClassFixture<LiveServices>
{
    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public async Task Probes_Target_AskWhatTheLiveProgramsAnswerServing(string target)
    {
        var manifest = Targets.Render(target);

        var answers = await live.AnswerAsync(manifest);

        Assert.NotEmpty(answers);
        Problems.AssertNone(ProbeChecks.Problems(manifest, answers), manifest);
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void ShutdownTimeout_LiveServer_FitsInTheGracePeriod(string target)
    {
        var manifest = Targets.Render(target);
        var (workload, container) = manifest.Single(A3cServiceKind.ParameterServer);

        var options = live.HostOptionsOf(manifest, container, A3cServiceKind.ParameterServer);

        // The variable reaches the host (DOTNET_ variables are host configuration), and the pod waits longer.
        if (new ContainerEnvironment(manifest, container)["DOTNET_shutdownTimeoutSeconds"] is { } configured)
        {
            Assert.Equal(TimeSpan.FromSeconds(int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture)), options.ShutdownTimeout);
        }

        var grace = TimeSpan.FromSeconds(workload.Pod.TerminationGracePeriodSeconds ?? 30);
        Assert.True(
            options.ShutdownTimeout + WorkloadChecks.ShutdownMargin <= grace,
            $"the server's host waits {options.ShutdownTimeout.TotalSeconds} s for its final checkpoint; the pod is killed after {grace.TotalSeconds} s");
    }

    [Theory]
    [MemberData(nameof(Targets.Names), MemberType = typeof(Targets))]
    public void Options_LivePrograms_RunWithTheContainersSettings(string target)
    {
        // The same values reach the real hosts (through their own configuration pipeline) as the offline binding
        // in ConfigurationChecks sees, so its validation speaks for the programs.
        var manifest = Targets.Render(target);
        var server = manifest.Single(A3cServiceKind.ParameterServer).Container;
        var envsim = manifest.Single(A3cServiceKind.EnvSim).Container;

        var liveServer = live.OptionsOf<ParameterServerOptions>(manifest, server, A3cServiceKind.ParameterServer);
        var offlineServer = ConfigurationChecks.Bind<ParameterServerOptions>(manifest, server)!;
        offlineServer.RunDirectory = liveServer.RunDirectory; // the one setting the live host does not take (a temporary folder)

        AssertSame(offlineServer, liveServer);
        AssertSame(ConfigurationChecks.Bind<A3cHyperparameters>(manifest, server), live.OptionsOf<A3cHyperparameters>(manifest, server, A3cServiceKind.ParameterServer));
        AssertSame(ConfigurationChecks.Bind<EvaluationOptions>(manifest, server), live.OptionsOf<EvaluationOptions>(manifest, server, A3cServiceKind.ParameterServer));
        AssertSame(ConfigurationChecks.Bind<SimulatorOptions>(manifest, envsim), live.OptionsOf<SimulatorOptions>(manifest, envsim, A3cServiceKind.EnvSim));
        Assert.Equal(ContainerEnvironment.SecretValues(manifest.Secrets.Single())["push-token"], liveServer.PushToken);
    }

    [Fact]
    public async Task Probes_HealthCheckNameInsteadOfAServiceName_IsFound()
    {
        // "training" is the server's health check's registration name, not a gRPC health service name.
        var manifest = Targets.Render("local").Copy();
        manifest.Deployment("parameter-server").Spec.Template.Spec.Containers[0].ReadinessProbe.Grpc.Service =
            A3cGrpc.ParameterServer.Hosting.ParameterServerHosting.HealthCheckName;

        var answers = await live.AnswerAsync(manifest);

        Problems.AssertFound(ProbeChecks.Problems(manifest, answers), "readiness probe service 'training': the live program answers NotFound");
    }

    [Fact]
    public async Task Probes_ServerProbeOnTheSidecarPort_IsFound()
    {
        var manifest = Targets.Render("local").Copy();
        manifest.Deployment("parameter-server").Spec.Template.Spec.Containers[0].LivenessProbe.Grpc.Port = A3cService.EnvSim.Port!.Value;

        var answers = await live.AnswerAsync(manifest);

        Problems.AssertFound(ProbeChecks.Problems(manifest, answers), "liveness probe port 50052, but the program listens on 50051");
    }

    [Fact]
    public async Task Probes_OnTheWorker_AreFound()
    {
        var manifest = Targets.Render("local").Copy();
        var envsim = manifest.Deployment("worker").Spec.Template.Spec.Containers.Single(c => c.Name == "envsim");
        ConfigurationTests.Worker(manifest).LivenessProbe = envsim.LivenessProbe;

        var answers = await live.AnswerAsync(manifest);

        Problems.AssertFound(ProbeChecks.Problems(manifest, answers), "has a liveness probe, but the worker serves nothing");
    }

    private static void AssertSame<T>(T? expected, T actual)
    {
        Assert.NotNull(expected);
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
    }
}

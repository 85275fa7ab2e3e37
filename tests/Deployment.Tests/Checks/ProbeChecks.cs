using A3cGrpc.Deployment.Tests.Support;
using A3cGrpc.ParameterServer.Runs;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>One gRPC health question a probe asks: the container, and the service name in the probe.</summary>
internal sealed record HealthQuestion(string Workload, string Container, string Service);

/// <summary>The probes: on the real health endpoints, at the real ports, with names the programs answer.</summary>
internal static class ProbeChecks
{
    /// <summary>What a probe answered "SERVING" looks like in <see cref="Problems"/>' answers.</summary>
    public const string Serving = "Serving";

    /// <summary>Every gRPC probe of our web hosts as a question for the live program (its service name; empty is the whole server).</summary>
    public static IEnumerable<(Workload Workload, V1Container Container, A3cService Service, HealthQuestion Question)> Questions(Manifest manifest) =>
        manifest.A3cContainers
            .Where(item => item.Service.IsWebHost)
            .SelectMany(item => Probes(item.Container).Where(p => p.Probe.Grpc is not null)
                .Select(p => (item.Workload, item.Container, item.Service, new HealthQuestion(item.Workload.Name, item.Container.Name, p.Probe.Grpc.Service ?? string.Empty))))
            .DistinctBy(item => item.Item4);

    /// <summary>
    /// Our web hosts have startup, readiness and liveness probes, all gRPC health checks on their own port, each
    /// asking for a service name the running program answers SERVING for (<paramref name="answers"/>, from the real
    /// programs); the server's startup probe waits longer than a new server waits for the previous one's run-folder
    /// lock. The worker, which serves nothing, has no probes. Other containers have readiness and liveness probes on
    /// declared ports.
    /// </summary>
    public static IEnumerable<string> Problems(Manifest manifest, IReadOnlyDictionary<HealthQuestion, string> answers)
    {
        foreach (var (workload, container) in manifest.Containers)
        {
            var where = $"{workload} container {container.Name}";
            var service = A3cService.ForImage(container.Image);
            var probes = Probes(container).ToList();
            if (service is { IsWebHost: false })
            {
                foreach (var (kind, _) in probes)
                {
                    yield return $"{where}: has a {kind} probe, but the worker serves nothing";
                }

                continue;
            }

            var required = service is null ? ["readiness", "liveness"] : new[] { "startup", "readiness", "liveness" };
            foreach (var kind in required.Except(probes.Select(p => p.Kind)))
            {
                yield return $"{where}: no {kind} probe";
            }

            foreach (var (kind, probe) in probes)
            {
                if (service is null)
                {
                    if (PortOf(probe) is { } port && !DeclaresPort(container, port))
                    {
                        yield return $"{where}: {kind} probe port {port} is not a declared container port";
                    }

                    continue;
                }

                if (probe.Grpc is null)
                {
                    yield return $"{where}: {kind} probe is not a gRPC health check";
                    continue;
                }

                if (probe.Grpc.Port != service.Port || !DeclaresPort(container, probe.Grpc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                {
                    yield return $"{where}: {kind} probe port {probe.Grpc.Port}, but the program listens on {service.Port}";
                }

                var question = new HealthQuestion(workload.Name, container.Name, probe.Grpc.Service ?? string.Empty);
                if (!answers.TryGetValue(question, out var answer))
                {
                    yield return $"{where}: {kind} probe service '{question.Service}' was not asked of the live program";
                }
                else if (answer != Serving)
                {
                    yield return $"{where}: {kind} probe service '{question.Service}': the live program answers {answer}, not SERVING";
                }
            }

            if (service?.Kind == A3cServiceKind.ParameterServer && container.StartupProbe is { } startup)
            {
                var budget = TimeSpan.FromSeconds((startup.PeriodSeconds ?? 10) * (startup.FailureThreshold ?? 3));
                var needed = RunSetup.FolderLockWait + TimeSpan.FromSeconds(30);
                if (budget < needed)
                {
                    yield return $"{where}: startup probe gives up after {budget.TotalSeconds} s; a server may wait {RunSetup.FolderLockWait.TotalSeconds} s for the previous one's lock and then load (need >= {needed.TotalSeconds} s)";
                }
            }
        }
    }

    private static IEnumerable<(string Kind, V1Probe Probe)> Probes(V1Container container)
    {
        if (container.StartupProbe is { } startup)
        {
            yield return ("startup", startup);
        }

        if (container.ReadinessProbe is { } readiness)
        {
            yield return ("readiness", readiness);
        }

        if (container.LivenessProbe is { } liveness)
        {
            yield return ("liveness", liveness);
        }
    }

    private static string? PortOf(V1Probe probe) =>
        probe.HttpGet?.Port?.Value ?? probe.TcpSocket?.Port?.Value
        ?? probe.Grpc?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool DeclaresPort(V1Container container, string port) =>
        (container.Ports ?? []).Any(p => p.Name == port || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port);
}

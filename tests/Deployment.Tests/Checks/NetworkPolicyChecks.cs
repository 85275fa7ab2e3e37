using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>A source of traffic inside the namespace: a pod's labels.</summary>
internal sealed record Peer(string Name, IDictionary<string, string> Labels)
{
    public override string ToString() => Name;
}

/// <summary>The NetworkPolicies, evaluated as Kubernetes evaluates ingress rules, over the pods of the render.</summary>
internal static class NetworkPolicyChecks
{
    /// <summary>The label that admits a pod to the parameter server's port (for Policy clients).</summary>
    public static readonly KeyValuePair<string, string> PolicyClientLabel = new("a3c.io/policy-client", "true");

    /// <summary>
    /// Who may connect to whom: workers reach the parameter server's main port and labelled policy clients its policy
    /// port (and not the main one, where the push API is), and nothing else does (not the collector, not Jaeger, not
    /// an unlabelled pod); the server and the workers reach the
    /// collector's OTLP port; only the collector reaches Jaeger's OTLP port; no other pod reaches a worker pod's
    /// EnvSim sidecar, which is for its own worker over loopback.
    /// </summary>
    public static IEnumerable<string> Problems(Manifest manifest)
    {
        var server = manifest.Single(A3cServiceKind.ParameterServer).Workload;
        var worker = manifest.Single(A3cServiceKind.Worker).Workload;
        var collector = manifest.Workloads.SingleOrDefault(w => PortChecks.CollectorConfigs(manifest, w).Any());
        if (collector is null)
        {
            yield return "no OpenTelemetry Collector pod";
            yield break;
        }

        var collectorPorts = PortChecks.CollectorGrpcPorts(manifest, collector);
        var collectorPort = collectorPorts.Count > 0 ? collectorPorts[0] : 0;
        // The tracing backend: where the collector's OTLP exporter leads (Jaeger).
        var jaegerEndpoint = PortChecks.CollectorConfigs(manifest, collector)
            .SelectMany(PortChecks.OtlpExporterEndpoints)
            .Select(exporter => exporter.Endpoint.Split(':'))
            .Where(parts => parts.Length == 2 && int.TryParse(parts[1], out _))
            .Select(parts => NetworkAddresses.Resolve(manifest, parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), out _))
            .FirstOrDefault(target => target is not null)?.Endpoints;
        if (jaegerEndpoint is not [var jaeger, ..])
        {
            yield return "the collector's OTLP exporter leads to no pod";
            yield break;
        }

        var envsimPort = worker.Pod.Containers.Where(c => A3cService.ForImage(c.Image)?.Kind == A3cServiceKind.EnvSim)
            .SelectMany(c => c.Ports ?? []).Select(p => p.ContainerPort).FirstOrDefault();
        var serverPort = A3cService.ParameterServer.Port!.Value;
        var policyPort = A3cService.ParameterServer.PolicyPort!.Value;
        var stranger = new Peer("an unlabelled pod", new Dictionary<string, string> { ["app"] = "something-else" });
        var policyClient = new Peer("a policy client", new Dictionary<string, string> { [PolicyClientLabel.Key] = PolicyClientLabel.Value });
        Peer Of(Workload workload) => new(workload.ToString(), workload.Labels);

        var allowed = new (Peer From, Workload To, int Port)[]
        {
            (Of(worker), server, serverPort),
            (policyClient, server, policyPort),
            (Of(server), collector, collectorPort),
            (Of(worker), collector, collectorPort),
            (Of(collector), jaeger.Workload, jaeger.Port.ContainerPort),
        };
        var denied = new (Peer From, Workload To, int Port)[]
        {
            (Of(collector), server, serverPort),
            (Of(jaeger.Workload), server, serverPort),
            (stranger, server, serverPort),
            (stranger, server, policyPort),
            (policyClient, server, serverPort),
            (Of(collector), server, policyPort),
            (Of(server), worker, envsimPort),
            (Of(collector), worker, envsimPort),
            (stranger, worker, envsimPort),
            (stranger, collector, collectorPort),
            (Of(worker), jaeger.Workload, jaeger.Port.ContainerPort),
            (Of(server), jaeger.Workload, jaeger.Port.ContainerPort),
            (stranger, jaeger.Workload, jaeger.Port.ContainerPort),
        };
        foreach (var (from, to, port) in allowed.Where(c => !Admits(manifest, c.From, c.To, c.Port)))
        {
            yield return $"{from} cannot reach {to} port {port}";
        }

        foreach (var (from, to, port) in denied.Where(c => Admits(manifest, c.From, c.To, c.Port)))
        {
            yield return $"{from} can reach {to} port {port}";
        }
    }

    /// <summary>Whether the ingress policies let <paramref name="from"/> (in this namespace) connect to <paramref name="to"/> on TCP <paramref name="port"/>.</summary>
    public static bool Admits(Manifest manifest, Peer from, Workload to, int port)
    {
        var selecting = manifest.NetworkPolicies
            .Where(policy => LabelSelectors.Matches(policy.Spec.PodSelector, to.Labels)
                && (policy.Spec.PolicyTypes is null || policy.Spec.PolicyTypes.Contains("Ingress")))
            .ToList();
        return selecting.Count == 0 || selecting.Any(policy => (policy.Spec.Ingress ?? [])
            .Any(rule => PeerMatches(manifest, rule.FromProperty, from) && PortMatches(rule.Ports, to, port)));
    }

    private static bool PeerMatches(Manifest manifest, IList<V1NetworkPolicyPeer>? peers, Peer from)
    {
        if (peers is null || peers.Count == 0)
        {
            return true;
        }

        var namespaceLabels = new Dictionary<string, string>(
            manifest.Objects.OfType<V1Namespace>().SingleOrDefault(n => n.Metadata.Name == Manifest.Namespace)?.Metadata.Labels
            ?? new Dictionary<string, string>())
        {
            ["kubernetes.io/metadata.name"] = Manifest.Namespace,
        };
        return peers.Any(peer => peer.IpBlock is not null // may cover pod addresses: count it as admitting
            || ((peer.NamespaceSelector is null || LabelSelectors.Matches(peer.NamespaceSelector, namespaceLabels))
                && (peer.PodSelector is null ? peer.NamespaceSelector is not null : LabelSelectors.Matches(peer.PodSelector, from.Labels))));
    }

    private static bool PortMatches(IList<V1NetworkPolicyPort>? ports, Workload to, int port)
    {
        if (ports is null || ports.Count == 0)
        {
            return true;
        }

        return ports.Any(rule => (rule.Protocol ?? "TCP") == "TCP" && (rule.Port?.Value is not { } value
            || (int.TryParse(value, out var number)
                ? port >= number && port <= (rule.EndPort ?? number)
                : to.Pod.Containers.Any(c => (c.Ports ?? []).Any(p => p.Name == value && p.ContainerPort == port)))));
    }
}

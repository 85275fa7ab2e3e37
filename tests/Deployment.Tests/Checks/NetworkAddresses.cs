using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>Where an address (a Service name and port) leads: the Service port and the container ports behind it.</summary>
internal sealed record ServiceTarget(V1Service Service, V1ServicePort Port, IReadOnlyList<(Workload Workload, V1Container Container, V1ContainerPort Port)> Endpoints);

/// <summary>Resolves in-cluster addresses and Service target ports the way kube-proxy and DNS would.</summary>
internal static class NetworkAddresses
{
    /// <summary>
    /// The Service <paramref name="host"/> names (<c>name</c>, <c>name.ns</c>, <c>name.ns.svc</c>,
    /// <c>name.ns.svc.cluster.local</c>) and the container ports its <paramref name="port"/> leads to, or a problem.
    /// </summary>
    public static ServiceTarget? Resolve(Manifest manifest, string host, int port, out string? problem)
    {
        var labels = host.Split('.');
        var validSuffix = labels.Length == 1
            || (labels[1] == Manifest.Namespace && (labels.Length == 2 || string.Join('.', labels[2..]) is "svc" or "svc.cluster.local"));
        var service = validSuffix ? manifest.Service(labels[0]) : null;
        if (service is null)
        {
            problem = $"'{host}' is not a Service of namespace {Manifest.Namespace}";
            return null;
        }

        var servicePort = service.Spec.Ports?.SingleOrDefault(p => p.Port == port);
        if (servicePort is null)
        {
            problem = $"Service {service.Metadata.Name} has no port {port}";
            return null;
        }

        var endpoints = Endpoints(manifest, service, servicePort, out problem);
        return problem is null ? new ServiceTarget(service, servicePort, endpoints) : null;
    }

    /// <summary>
    /// The container ports a Service port's targetPort resolves to in the pods it selects (a number must be declared
    /// by a container; a name must name a container port); a problem if it selects no pod or a pod lacks the port.
    /// </summary>
    public static IReadOnlyList<(Workload Workload, V1Container Container, V1ContainerPort Port)> Endpoints(
        Manifest manifest, V1Service service, V1ServicePort servicePort, out string? problem)
    {
        problem = null;
        var selected = manifest.Selected(service.Spec.Selector).ToList();
        if (selected.Count == 0)
        {
            problem = $"Service {service.Metadata.Name} selects no pods";
            return [];
        }

        var target = servicePort.TargetPort?.Value ?? servicePort.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var endpoints = new List<(Workload, V1Container, V1ContainerPort)>();
        foreach (var workload in selected)
        {
            var match = workload.Pod.Containers
                .SelectMany(container => (container.Ports ?? []).Select(port => (container, port)))
                .Where(item => int.TryParse(target, out var number) ? item.port.ContainerPort == number : item.port.Name == target)
                .ToList();
            if (match.Count != 1)
            {
                problem = $"Service {service.Metadata.Name} port {servicePort.Port}: targetPort {target} matches {match.Count} declared container ports in {workload}";
                return [];
            }

            endpoints.Add((workload, match[0].container, match[0].port));
        }

        return endpoints;
    }

    /// <summary>An http(s) URI's host and port (the scheme's default port when it has none), or a problem.</summary>
    public static (string Host, int Port)? ParseHttpUri(string? address, out string? problem)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problem = $"'{address}' is not an http(s) address";
            return null;
        }

        problem = null;
        return (uri.Host, uri.Port);
    }
}

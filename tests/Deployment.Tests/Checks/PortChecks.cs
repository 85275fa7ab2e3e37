using A3cGrpc.Deployment.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>Ports and addresses: what each program listens on, and that every address leads to it.</summary>
internal static class PortChecks
{
    /// <summary>The loopback names a sidecar is reached by.</summary>
    private static readonly string[] _loopback = ["127.0.0.1", "localhost", "[::1]"];

    /// <summary>
    /// The web hosts declare exactly their <see cref="Distributed.ServicePorts"/> port (TCP), and ASPNETCORE_HTTP_PORTS
    /// (set, or the image's default, which is that port) says the same; the worker declares none. Every Service port's
    /// targetPort resolves to a declared container port in every pod it selects.
    /// </summary>
    public static IEnumerable<string> ListenProblems(Manifest manifest)
    {
        foreach (var (workload, container, service) in manifest.A3cContainers)
        {
            var where = $"{workload} container {container.Name} ({service})";
            var ports = container.Ports ?? [];
            if (!service.IsWebHost)
            {
                if (ports.Count > 0)
                {
                    yield return $"{where}: declares ports, but the worker listens on none";
                }

                continue;
            }

            var expected = service.ListenPorts;
            if (!ports.Select(p => p.ContainerPort).SequenceEqual(expected) || ports.Any(p => p.Protocol is not (null or "TCP")))
            {
                yield return $"{where}: declares ports [{string.Join(", ", ports.Select(p => $"{p.ContainerPort}/{p.Protocol}"))}], expected [{string.Join(", ", expected.Select(p => $"{p}/TCP"))}]";
            }

            var environment = new ContainerEnvironment(manifest, container);
            var httpPorts = environment[A3cService.HttpPortsVariable] ?? service.Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var expectedHttpPorts = string.Join(';', expected.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (httpPorts != expectedHttpPorts)
            {
                yield return $"{where}: {A3cService.HttpPortsVariable}={httpPorts}, but the program's ports are {expectedHttpPorts}";
            }

            if (service.PolicyPort is { } policyPort
                && environment["ParameterServer__PolicyPort"] != policyPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                yield return $"{where}: ParameterServer__PolicyPort is '{environment["ParameterServer__PolicyPort"]}', but the policy's port is {policyPort}";
            }

            if (environment["ASPNETCORE_URLS"] is not null)
            {
                yield return $"{where}: ASPNETCORE_URLS overrides the port";
            }
        }

        foreach (var service in manifest.Services)
        {
            foreach (var port in service.Spec.Ports ?? [])
            {
                NetworkAddresses.Endpoints(manifest, service, port, out var problem);
                if (problem is not null)
                {
                    yield return problem;
                }
            }
        }
    }

    /// <summary>
    /// Every address our programs are given leads where it should: the worker's parameter server address through the
    /// Service to the server's port, its EnvSim address over loopback to its own sidecar's port, the OTLP endpoint
    /// through the collector's Service to its OTLP/gRPC receiver; and the collector's exporters to Services that lead
    /// to declared ports.
    /// </summary>
    public static IEnumerable<string> AddressProblems(Manifest manifest)
    {
        foreach (var (workload, container, service) in manifest.A3cContainers)
        {
            var where = $"{workload} container {container.Name} ({service})";
            var environment = new ContainerEnvironment(manifest, container);
            if (service.Kind == A3cServiceKind.Worker)
            {
                var server = NetworkAddresses.ParseHttpUri(environment["Worker__ParameterServerAddress"], out var problem);
                var target = server is { } s ? NetworkAddresses.Resolve(manifest, s.Host, s.Port, out problem) : null;
                if (problem is not null)
                {
                    yield return $"{where}: Worker__ParameterServerAddress: {problem}";
                }
                else if (target!.Endpoints.Any(e => A3cService.ForImage(e.Container.Image)?.Kind != A3cServiceKind.ParameterServer
                    || e.Port.ContainerPort != A3cService.ParameterServer.Port))
                {
                    yield return $"{where}: Worker__ParameterServerAddress leads to {string.Join(", ", target.Endpoints.Select(e => $"{e.Workload}/{e.Container.Name}:{e.Port.ContainerPort}"))}, not the parameter server's port";
                }

                var envsim = NetworkAddresses.ParseHttpUri(environment["Worker__EnvSimAddress"], out problem);
                if (problem is not null)
                {
                    yield return $"{where}: Worker__EnvSimAddress: {problem}";
                }
                else if (!_loopback.Contains(envsim!.Value.Host))
                {
                    yield return $"{where}: Worker__EnvSimAddress host {envsim.Value.Host} is not the pod's loopback";
                }
                else if (!workload.Pod.Containers.Any(c => A3cService.ForImage(c.Image)?.Kind == A3cServiceKind.EnvSim
                    && (c.Ports ?? []).Any(p => p.ContainerPort == envsim.Value.Port)))
                {
                    yield return $"{where}: Worker__EnvSimAddress port {envsim.Value.Port} is no EnvSim sidecar port in the same pod";
                }
            }

            var endpoint = environment[ServiceDefaults.Telemetry.TelemetrySetup.OtlpEndpointVariable];
            if (endpoint is not null)
            {
                var otlp = NetworkAddresses.ParseHttpUri(endpoint, out var problem);
                var target = otlp is { } o ? NetworkAddresses.Resolve(manifest, o.Host, o.Port, out problem) : null;
                if (problem is not null)
                {
                    yield return $"{where}: OTEL_EXPORTER_OTLP_ENDPOINT: {problem}";
                }
                else if (target!.Endpoints.Any(e => !CollectorGrpcPorts(manifest, e.Workload).Contains(e.Port.ContainerPort)))
                {
                    yield return $"{where}: OTEL_EXPORTER_OTLP_ENDPOINT {endpoint} does not lead to an OTLP/gRPC receiver port of a collector";
                }
            }
        }

        foreach (var workload in manifest.Workloads)
        {
            foreach (var config in CollectorConfigs(manifest, workload))
            {
                foreach (var (name, endpoint) in OtlpExporterEndpoints(config))
                {
                    var colon = endpoint.LastIndexOf(':');
                    if (colon < 0 || !int.TryParse(endpoint[(colon + 1)..], out var port))
                    {
                        yield return $"{workload}: exporter {name} endpoint {endpoint} has no port";
                        continue;
                    }

                    var host = endpoint[..colon].Replace("http://", string.Empty, StringComparison.Ordinal).Replace("https://", string.Empty, StringComparison.Ordinal);
                    NetworkAddresses.Resolve(manifest, host, port, out var problem);
                    if (problem is not null)
                    {
                        yield return $"{workload}: exporter {name}: {problem}";
                    }
                }
            }
        }
    }

    /// <summary>The OTLP/gRPC receiver ports of a collector pod (from its configuration), declared by its container.</summary>
    public static IReadOnlyList<int> CollectorGrpcPorts(Manifest manifest, Workload workload)
    {
        var ports = new List<int>();
        foreach (var config in CollectorConfigs(manifest, workload))
        {
            if (Child(config, "receivers", "otlp", "protocols", "grpc", "endpoint") is YamlScalarNode { Value: { } endpoint }
                && int.TryParse(endpoint[(endpoint.LastIndexOf(':') + 1)..], out var port)
                && workload.Pod.Containers.Any(c => (c.Ports ?? []).Any(p => p.ContainerPort == port)))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    /// <summary>The OpenTelemetry Collector configurations a pod mounts (ConfigMap entries with receivers and exporters).</summary>
    public static IEnumerable<YamlMappingNode> CollectorConfigs(Manifest manifest, Workload workload)
    {
        foreach (var volume in workload.Pod.Volumes ?? [])
        {
            if (volume.ConfigMap is null || manifest.ConfigMap(volume.ConfigMap.Name)?.Data is not { } data)
            {
                continue;
            }

            foreach (var text in data.Values)
            {
                var stream = new YamlStream();
                try
                {
                    stream.Load(new StringReader(text));
                }
                catch (YamlDotNet.Core.YamlException)
                {
                    continue;
                }

                if (stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
                    && Child(root, "receivers") is not null && Child(root, "exporters") is not null)
                {
                    yield return root;
                }
            }
        }
    }

    /// <summary>The collector's OTLP exporters and their endpoints (<c>host:port</c>).</summary>
    public static IEnumerable<(string Name, string Endpoint)> OtlpExporterEndpoints(YamlMappingNode config)
    {
        if (Child(config, "exporters") is not YamlMappingNode exporters)
        {
            yield break;
        }

        foreach (var (key, value) in exporters.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if ((name == "otlp" || name.StartsWith("otlp/", StringComparison.Ordinal))
                && Child(value, "endpoint") is YamlScalarNode { Value: { } endpoint })
            {
                yield return (name, endpoint);
            }
        }
    }

    private static YamlNode? Child(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }
}

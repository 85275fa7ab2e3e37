using k8s;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>
/// A rendered target as the official typed objects (parsed strictly: a field the Kubernetes API does not have is an
/// error), with look-ups the checks share. <see cref="Copy"/> gives a private copy that a test may break on purpose.
/// </summary>
internal sealed class Manifest
{
    /// <summary>The namespace everything is deployed to.</summary>
    public const string Namespace = "a3c";

    private readonly List<object> _objects;

    public Manifest(Target target, string yaml)
    {
        Target = target;
        Yaml = yaml;
        _objects = KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true);
    }

    public Target Target { get; }

    public string Yaml { get; }

    public IReadOnlyList<object> Objects => _objects;

    public IEnumerable<V1Deployment> Deployments => Objects.OfType<V1Deployment>();

    public IEnumerable<V1Service> Services => Objects.OfType<V1Service>();

    public IEnumerable<V1ConfigMap> ConfigMaps => Objects.OfType<V1ConfigMap>();

    public IEnumerable<V1Secret> Secrets => Objects.OfType<V1Secret>();

    public IEnumerable<V1NetworkPolicy> NetworkPolicies => Objects.OfType<V1NetworkPolicy>();

    public IEnumerable<V1PersistentVolumeClaim> Claims => Objects.OfType<V1PersistentVolumeClaim>();

    public IEnumerable<V1PodDisruptionBudget> DisruptionBudgets => Objects.OfType<V1PodDisruptionBudget>();

    /// <summary>Every pod this target runs, one per Deployment (the only workload kind it uses).</summary>
    public IEnumerable<Workload> Workloads => Deployments.Select(deployment => new Workload(deployment));

    /// <summary>Every container of every workload, with its workload.</summary>
    public IEnumerable<(Workload Workload, V1Container Container)> Containers =>
        Workloads.SelectMany(workload => workload.Pod.Containers.Select(container => (workload, container)));

    /// <summary>Containers that run one of our three services, with the service.</summary>
    public IEnumerable<(Workload Workload, V1Container Container, A3cService Service)> A3cContainers =>
        Containers.Select(item => (item.Workload, item.Container, Service: A3cService.ForImage(item.Container.Image)))
            .Where(item => item.Service is not null)
            .Select(item => (item.Workload, item.Container, item.Service!));

    /// <summary>The one container of <paramref name="kind"/>; fails if there is none or more than one.</summary>
    public (Workload Workload, V1Container Container) Single(A3cServiceKind kind)
    {
        var matches = A3cContainers.Where(item => item.Service.Kind == kind).ToList();
        return matches.Count == 1
            ? (matches[0].Workload, matches[0].Container)
            : throw new InvalidOperationException($"{Target.Name}: expected one {kind} container, found {matches.Count}.");
    }

    public V1ConfigMap? ConfigMap(string name) => ConfigMaps.SingleOrDefault(map => map.Metadata.Name == name);

    public V1Secret? Secret(string name) => Secrets.SingleOrDefault(secret => secret.Metadata.Name == name);

    public V1Service? Service(string name) => Services.SingleOrDefault(service => service.Metadata.Name == name);

    public V1Deployment Deployment(string name) => Deployments.Single(deployment => deployment.Metadata.Name == name);

    /// <summary>The workloads whose pods <paramref name="selector"/> selects.</summary>
    public IEnumerable<Workload> Selected(IDictionary<string, string>? selector) =>
        Workloads.Where(workload => LabelSelectors.Matches(selector, workload.Labels));

    /// <summary>A private copy of every object, parsed again from the same YAML, to break on purpose.</summary>
    public Manifest Copy() => new(Target, Yaml);

    /// <summary>Removes objects from this copy (for the tests that break one on purpose).</summary>
    public void RemoveAll(Predicate<object> match) => _objects.RemoveAll(match);
}

/// <summary>A Deployment's pods: its name, its pod template's labels and pod spec.</summary>
internal sealed record Workload(V1Deployment Deployment)
{
    public string Name => Deployment.Metadata.Name;

    public IDictionary<string, string> Labels => Deployment.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>();

    public V1PodSpec Pod => Deployment.Spec.Template.Spec;

    public override string ToString() => $"deployment/{Name}";
}

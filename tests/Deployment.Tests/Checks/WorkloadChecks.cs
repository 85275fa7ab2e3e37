using System.Globalization;
using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>Workloads, selectors, metadata, resources and the parameter server's storage and life cycle.</summary>
internal static class WorkloadChecks
{
    /// <summary>The recommended labels every object and pod template carries.</summary>
    public static readonly string[] RecommendedLabels = ["app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of"];

    /// <summary>What .NET waits for hosted services to stop when nothing configures it.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Room between the host's shutdown timeout and the kubelet's SIGKILL.</summary>
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Each Deployment's selector selects its own pod template and no other Deployment's; every Service,
    /// NetworkPolicy (unless it is meant for all pods) and PodDisruptionBudget selects some pod.
    /// </summary>
    public static IEnumerable<string> SelectorProblems(Manifest manifest)
    {
        foreach (var deployment in manifest.Deployments)
        {
            foreach (var other in manifest.Workloads)
            {
                var selects = LabelSelectors.Matches(deployment.Spec.Selector, other.Labels);
                if (other.Name == deployment.Metadata.Name && !selects)
                {
                    yield return $"deployment/{deployment.Metadata.Name}: its selector does not match its pod template's labels";
                }
                else if (other.Name != deployment.Metadata.Name && selects)
                {
                    yield return $"deployment/{deployment.Metadata.Name}: its selector also matches the pods of {other}";
                }
            }
        }

        foreach (var service in manifest.Services)
        {
            if (!manifest.Selected(service.Spec.Selector).Any())
            {
                yield return $"service/{service.Metadata.Name}: selects no pods";
            }
        }

        foreach (var policy in manifest.NetworkPolicies)
        {
            if (!LabelSelectors.IsEmpty(policy.Spec.PodSelector)
                && !manifest.Workloads.Any(w => LabelSelectors.Matches(policy.Spec.PodSelector, w.Labels)))
            {
                yield return $"networkpolicy/{policy.Metadata.Name}: podSelector selects no pods";
            }
        }

        foreach (var budget in manifest.DisruptionBudgets)
        {
            if (!manifest.Workloads.Any(w => LabelSelectors.Matches(budget.Spec.Selector, w.Labels)))
            {
                yield return $"poddisruptionbudget/{budget.Metadata.Name}: selects no pods";
            }
        }
    }

    /// <summary>
    /// The parameter server: one replica, replaced with Recreate (never two on one run folder and volume); its run
    /// directory's parent is the mount of a PersistentVolumeClaim of this render (ReadWriteOnce, with a size); the
    /// pod's grace period exceeds the host's shutdown timeout (DOTNET_shutdownTimeoutSeconds, else .NET's 30 s) so
    /// the final checkpoint is written before SIGKILL.
    /// </summary>
    public static IEnumerable<string> ParameterServerProblems(Manifest manifest)
    {
        var (workload, container) = manifest.Single(A3cServiceKind.ParameterServer);
        var deployment = workload.Deployment;
        if (deployment.Spec.Replicas != 1)
        {
            yield return $"{workload}: replicas {deployment.Spec.Replicas?.ToString(CultureInfo.InvariantCulture) ?? "unset"}, must be 1 (one global model)";
        }

        if (deployment.Spec.Strategy?.Type != "Recreate")
        {
            yield return $"{workload}: strategy {deployment.Spec.Strategy?.Type ?? "RollingUpdate (default)"}, must be Recreate";
        }

        var environment = new ContainerEnvironment(manifest, container);
        var runDirectory = environment["ParameterServer__RunDirectory"];
        if (string.IsNullOrEmpty(runDirectory) || !runDirectory.StartsWith('/'))
        {
            yield return $"{workload}: ParameterServer__RunDirectory '{runDirectory}' is not an absolute path";
        }
        else
        {
            var parent = Path.GetDirectoryName(runDirectory.TrimEnd('/'))!;
            var mount = (container.VolumeMounts ?? []).SingleOrDefault(m => m.MountPath.TrimEnd('/') == parent);
            var volume = mount is null ? null : (workload.Pod.Volumes ?? []).SingleOrDefault(v => v.Name == mount.Name);
            var claim = volume?.PersistentVolumeClaim is { } source ? manifest.Claims.SingleOrDefault(c => c.Metadata.Name == source.ClaimName) : null;
            if (claim is null || mount!.ReadOnlyProperty == true)
            {
                yield return $"{workload}: the run directory's parent {parent} is not a writable mount of a PersistentVolumeClaim of this deployment";
            }
            else
            {
                if (!(claim.Spec.AccessModes ?? []).SequenceEqual(["ReadWriteOnce"]))
                {
                    yield return $"persistentvolumeclaim/{claim.Metadata.Name}: access modes [{string.Join(", ", claim.Spec.AccessModes ?? [])}], expected [ReadWriteOnce]";
                }

                if (claim.Spec.Resources?.Requests?.TryGetValue("storage", out _) != true)
                {
                    yield return $"persistentvolumeclaim/{claim.Metadata.Name}: no storage request";
                }
            }
        }

        var timeout = int.TryParse(environment["DOTNET_shutdownTimeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : DefaultShutdownTimeout;
        var grace = TimeSpan.FromSeconds(workload.Pod.TerminationGracePeriodSeconds ?? 30);
        if (grace < timeout + ShutdownMargin)
        {
            yield return $"{workload}: terminationGracePeriodSeconds {grace.TotalSeconds} leaves no room after the host's shutdown timeout of {timeout.TotalSeconds} s";
        }
    }

    /// <summary>
    /// Each worker pod holds one worker and one EnvSim sidecar; the worker's id is its pod's name (unique per replica);
    /// pods that run our programs get no Service-link variables (which would enter their .NET configuration).
    /// </summary>
    public static IEnumerable<string> WorkerPodProblems(Manifest manifest)
    {
        foreach (var workload in manifest.Workloads)
        {
            var kinds = workload.Pod.Containers.Select(c => A3cService.ForImage(c.Image)?.Kind).OfType<A3cServiceKind>().ToList();
            if (kinds.Count == 0)
            {
                continue;
            }

            if (workload.Pod.EnableServiceLinks != false)
            {
                yield return $"{workload}: enableServiceLinks is not false";
            }

            if (!kinds.Contains(A3cServiceKind.Worker))
            {
                continue;
            }

            if (kinds.Count(k => k == A3cServiceKind.Worker) != 1 || kinds.Count(k => k == A3cServiceKind.EnvSim) != 1)
            {
                yield return $"{workload}: a worker pod holds one worker and one EnvSim, found {string.Join(", ", kinds)}";
            }

            var worker = workload.Pod.Containers.First(c => A3cService.ForImage(c.Image)?.Kind == A3cServiceKind.Worker);
            if ((worker.Env ?? []).SingleOrDefault(v => v.Name == "Worker__WorkerId")?.ValueFrom?.FieldRef?.FieldPath != "metadata.name")
            {
                yield return $"{workload}: Worker__WorkerId is not the pod's name (fieldRef metadata.name)";
            }
        }
    }

    /// <summary>
    /// Every namespaced object is in namespace a3c, which the render creates; every object carries part-of, and every
    /// object but the generated ConfigMaps and Secrets, and every pod template, carries name and component too.
    /// </summary>
    public static IEnumerable<string> MetadataProblems(Manifest manifest)
    {
        if (!manifest.Objects.OfType<V1Namespace>().Any(n => n.Metadata.Name == Manifest.Namespace))
        {
            yield return $"no Namespace {Manifest.Namespace}";
        }

        foreach (var item in manifest.Objects)
        {
            var kind = item.GetType().Name;
            var metadata = ((IMetadata<V1ObjectMeta>)item).Metadata;
            var what = $"{kind} {metadata.Name}";
            if (item is V1Namespace)
            {
                if (metadata.NamespaceProperty is not null)
                {
                    yield return $"{what}: a cluster-scoped object with a namespace";
                }
            }
            else if (metadata.NamespaceProperty != Manifest.Namespace)
            {
                yield return $"{what}: namespace '{metadata.NamespaceProperty}', expected {Manifest.Namespace}";
            }

            var generated = item is V1ConfigMap or V1Secret;
            foreach (var label in generated ? RecommendedLabels[2..] : RecommendedLabels)
            {
                if (metadata.Labels?.ContainsKey(label) != true)
                {
                    yield return $"{what}: no label {label}";
                }
            }
        }

        foreach (var workload in manifest.Workloads)
        {
            foreach (var label in RecommendedLabels.Where(label => !workload.Labels.ContainsKey(label)))
            {
                yield return $"{workload}: pod template has no label {label}";
            }
        }
    }

    /// <summary>Every container has CPU and memory requests and limits, with requests not above limits.</summary>
    public static IEnumerable<string> ResourceProblems(Manifest manifest)
    {
        foreach (var (workload, container) in manifest.Containers)
        {
            foreach (var resource in (string[])["cpu", "memory"])
            {
                ResourceQuantity? request = null;
                ResourceQuantity? limit = null;
                if (container.Resources?.Requests?.TryGetValue(resource, out request) != true)
                {
                    yield return $"{workload} container {container.Name}: no {resource} request";
                }

                if (container.Resources?.Limits?.TryGetValue(resource, out limit) != true)
                {
                    yield return $"{workload} container {container.Name}: no {resource} limit";
                }

                if (request is not null && limit is not null && request.ToDecimal() > limit.ToDecimal())
                {
                    yield return $"{workload} container {container.Name}: {resource} request {request} above its limit {limit}";
                }
            }
        }
    }
}

using A3cGrpc.Deployment.Tests.Support;
using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>Security contexts, and a writable volume wherever our programs write.</summary>
internal static class SecurityChecks
{
    /// <summary>The images' non-root user and group (the Dockerfiles' convention).</summary>
    public const long ImageUser = 10001;

    /// <summary>
    /// Every container runs as non-root (ours as uid/gid 10001), without privilege escalation, with all capabilities
    /// dropped, a read-only root filesystem and the RuntimeDefault seccomp profile (container or pod level); no pod
    /// mounts a service account token (none of them talks to the Kubernetes API).
    /// </summary>
    public static IEnumerable<string> ContextProblems(Manifest manifest)
    {
        foreach (var workload in manifest.Workloads)
        {
            if (workload.Pod.AutomountServiceAccountToken != false)
            {
                yield return $"{workload}: automountServiceAccountToken is not false";
            }
        }

        foreach (var (workload, container) in manifest.Containers)
        {
            var where = $"{workload} container {container.Name}";
            var pod = workload.Pod.SecurityContext;
            var own = container.SecurityContext;
            if ((own?.RunAsNonRoot ?? pod?.RunAsNonRoot) != true)
            {
                yield return $"{where}: runAsNonRoot is not true";
            }

            if (A3cService.ForImage(container.Image) is not null)
            {
                if ((own?.RunAsUser ?? pod?.RunAsUser) != ImageUser || (own?.RunAsGroup ?? pod?.RunAsGroup) != ImageUser)
                {
                    yield return $"{where}: does not run as the image's user and group {ImageUser}";
                }
            }

            if (own?.AllowPrivilegeEscalation != false)
            {
                yield return $"{where}: allowPrivilegeEscalation is not false";
            }

            if (own?.Capabilities?.Drop?.Contains("ALL") != true || (own.Capabilities.Add?.Count ?? 0) > 0)
            {
                yield return $"{where}: capabilities are not 'drop ALL' with none added";
            }

            if (own?.ReadOnlyRootFilesystem != true)
            {
                yield return $"{where}: readOnlyRootFilesystem is not true";
            }

            if ((own?.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type) is not ("RuntimeDefault" or "Localhost"))
            {
                yield return $"{where}: no RuntimeDefault seccomp profile";
            }

            if (own?.Privileged == true)
            {
                yield return $"{where}: privileged";
            }
        }
    }

    /// <summary>
    /// With a read-only root filesystem, every place our programs write is a writable volume: /tmp (the .NET
    /// runtime's diagnostics sockets and temporary files), the server's run directory, and any span file.
    /// </summary>
    public static IEnumerable<string> WritablePathProblems(Manifest manifest)
    {
        foreach (var (workload, container, service) in manifest.A3cContainers)
        {
            var environment = new ContainerEnvironment(manifest, container);
            var paths = new List<string> { "/tmp" };
            if (service.Kind == A3cServiceKind.ParameterServer && environment["ParameterServer__RunDirectory"] is { } run)
            {
                paths.Add(run);
            }

            foreach (var file in new[] { environment["Telemetry__SpanFile"], environment["Worker__SimulatorSpanFile"] })
            {
                if (!string.IsNullOrEmpty(file))
                {
                    paths.Add(Path.GetDirectoryName(file) ?? file);
                }
            }

            foreach (var path in paths)
            {
                if (!IsWritable(workload, container, path))
                {
                    yield return $"{workload} container {container.Name} ({service}): {path} is not on a writable volume";
                }
            }
        }
    }

    private static bool IsWritable(Workload workload, V1Container container, string path)
    {
        var mount = (container.VolumeMounts ?? [])
            .Where(m => path == m.MountPath.TrimEnd('/') || path.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(m => m.MountPath.Length);
        var volume = mount is null ? null : (workload.Pod.Volumes ?? []).SingleOrDefault(v => v.Name == mount.Name);
        return mount is { ReadOnlyProperty: not true } && (volume?.EmptyDir is not null || volume?.PersistentVolumeClaim is not null);
    }
}

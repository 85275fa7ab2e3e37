using A3cGrpc.Deployment.Tests.Support;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>The images: ours are the names scripts/images.env gives the build; others are pinned.</summary>
internal static class ImageChecks
{
    /// <summary>
    /// Each of our programs runs from its built image: exactly <c>name:tag</c> of scripts/images.env in local
    /// targets; in production any registry in front of the name and a version tag (not the development tag). Every
    /// Deployment that runs one of our programs runs the one expected, and third-party images carry a fixed tag.
    /// </summary>
    public static IEnumerable<string> Problems(Manifest manifest)
    {
        var images = Repository.Images;
        var expected = new Dictionary<string, (A3cServiceKind Kind, string Container)>(StringComparer.Ordinal)
        {
            ["parameter-server"] = (A3cServiceKind.ParameterServer, "parameter-server"),
            ["worker"] = (A3cServiceKind.Worker, "worker"),
        };
        foreach (var (deployment, (kind, containerName)) in expected)
        {
            var workload = manifest.Workloads.SingleOrDefault(w => w.Name == deployment);
            var container = workload?.Pod.Containers.SingleOrDefault(c => c.Name == containerName);
            if (container is null)
            {
                yield return $"deployment/{deployment} has no container {containerName}";
            }
            else if (A3cService.ForImage(container.Image)?.Kind != kind)
            {
                yield return $"deployment/{deployment} container {containerName} runs {container.Image}, not the {kind} image";
            }
        }

        if (manifest.A3cContainers.Count(item => item.Service.Kind == A3cServiceKind.EnvSim) != 1)
        {
            yield return "expected exactly one container running the EnvSim image (the worker's sidecar)";
        }

        foreach (var (workload, container) in manifest.Containers)
        {
            var reference = ImageReference.Parse(container.Image);
            var service = A3cService.ForImage(container.Image);
            var where = $"{workload} container {container.Name}";
            if (service is null)
            {
                if (reference.Tag is null or "latest" && reference.Digest is null)
                {
                    yield return $"{where}: third-party image {container.Image} is not pinned to a version";
                }

                var ourNamespace = images.Server.Split('/')[0] + "/";
                if (reference.Repository.Contains(ourNamespace, StringComparison.Ordinal))
                {
                    yield return $"{where}: image {container.Image} looks like ours but is none of {images.Server}, {images.Worker}, {images.EnvSim}";
                }

                continue;
            }

            if (!manifest.Target.Production)
            {
                var built = $"{service.BuiltImage}:{images.Tag}";
                if (container.Image != built)
                {
                    yield return $"{where}: image {container.Image}, expected the local build {built}";
                }

                if (container.ImagePullPolicy is "Always")
                {
                    yield return $"{where}: imagePullPolicy Always cannot use an image loaded into a local cluster";
                }
            }
            else
            {
                if (reference.Repository == service.BuiltImage)
                {
                    yield return $"{where}: production image {container.Image} has no registry in front of {service.BuiltImage}";
                }

                if (reference.Tag is null || reference.Tag == images.Tag || reference.Tag == "latest")
                {
                    yield return $"{where}: production image {container.Image} needs a version tag (not '{images.Tag}' or 'latest')";
                }
            }
        }
    }
}

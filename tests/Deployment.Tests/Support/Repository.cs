using A3cGrpc.TestSupport;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>Paths in the repository and the image names the build produces.</summary>
internal static class Repository
{
    /// <summary>The repository root.</summary>
    public static string Root => RepositoryFiles.Root;

    /// <summary>The kustomize tree.</summary>
    public static string K8s => Path.Combine(Root, "k8s");

    /// <summary>The image names of scripts/images.env (A3C_IMAGE_SERVER, ...), the one place they are written.</summary>
    public static BuiltImages Images => RepositoryFiles.Images;
}

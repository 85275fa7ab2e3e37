using System.Diagnostics;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>
/// Runs <c>kubectl kustomize</c> as a child process. <see cref="KubectlVariable"/> picks another kubectl (for example
/// Debian's kubectl 1.20, whose kustomize is v2.0.3); the default is the one on PATH.
/// </summary>
internal static class Kustomize
{
    /// <summary>The environment variable that names the kubectl binary to render with.</summary>
    public const string KubectlVariable = "A3C_KUBECTL";

    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(120);

    /// <summary>The kubectl binary in use.</summary>
    public static string Kubectl =>
        Environment.GetEnvironmentVariable(KubectlVariable) is { Length: > 0 } kubectl ? kubectl : "kubectl";

    /// <summary>Renders <paramref name="directory"/>; the exit code, the YAML and kubectl's messages.</summary>
    public static RenderResult Render(string directory)
    {
        var start = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"Could not run '{Kubectl}' ({exception.Message}). Install kubectl (Debian: apt-get install kubernetes-client) or set {KubectlVariable} to one.",
                exception);
        }

        using var process = started ?? throw new InvalidOperationException($"Could not start {Kubectl}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Kubectl} kustomize {directory} did not finish in {_timeout.TotalSeconds} s.");
        }

        process.WaitForExit();
        return new RenderResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}

/// <summary>What one <c>kubectl kustomize</c> run produced.</summary>
internal sealed record RenderResult(int ExitCode, string Yaml, string Messages);

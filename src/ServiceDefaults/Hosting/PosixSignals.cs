using System.Runtime.InteropServices;

namespace A3cGrpc.ServiceDefaults.Hosting;

/// <summary>Starting and stopping child processes: SIGTERM (which .NET's <see cref="System.Diagnostics.Process"/> cannot send; it only kills) and the <c>dotnet</c> host.</summary>
public static partial class PosixSignals
{
    private const int SigTerm = 15;

    /// <summary>Asks process <paramref name="processId"/> to terminate (SIGTERM); false if the signal was not sent.</summary>
    public static bool TryTerminate(int processId) => !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    /// <summary>
    /// The <c>dotnet</c> host to run a framework-dependent assembly with: this process's own host if it runs under
    /// one, else the SDK's (<c>DOTNET_HOST_PATH</c>), else <c>dotnet</c> on PATH.
    /// </summary>
    public static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : "dotnet";
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}

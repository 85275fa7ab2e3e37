using System.Runtime.InteropServices;

namespace A3cGrpc.Distributed.Simulation;

/// <summary>Sends SIGTERM, which .NET's <see cref="System.Diagnostics.Process"/> cannot (it only kills).</summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    /// <summary>Asks process <paramref name="processId"/> to terminate (SIGTERM); false if the signal was not sent.</summary>
    public static bool TryTerminate(int processId) => !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}

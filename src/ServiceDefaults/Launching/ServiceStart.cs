using Microsoft.Extensions.Logging;

namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>What <see cref="ServiceProcess.Start"/> runs, and where its output goes.</summary>
/// <param name="Name">A short name for messages and log lines ("parameter-server", "worker-1", "envsim").</param>
/// <param name="Program">An <c>A3cGrpc.*.dll</c> (run with this process's <c>dotnet</c> host) or an executable.</param>
public sealed record ServiceStart(string Name, string Program)
{
    /// <summary>The command line after the program (e.g. from <see cref="ServiceArguments"/>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Extra environment variables (secrets travel here, not on command lines other users can read).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The file the child appends its stdout and stderr to, itself (so a killed parent loses none of it). With neither
    /// this nor <see cref="Logger"/>, the output is discarded.
    /// </summary>
    public string? LogFile { get; init; }

    /// <summary>A logger each output line is forwarded to (stderr at Warning): the child's lines in the parent's log.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The child's working directory (default: this process's).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The process the child watches and stops with (<c>--ParentProcessId</c>); 0: none. Default: this process.</summary>
    public int ParentProcessId { get; init; } = System.Environment.ProcessId;
}

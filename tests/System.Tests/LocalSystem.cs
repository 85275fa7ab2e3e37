using System.Globalization;
using A3cGrpc.Cli.Launcher;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.ServiceDefaults.Launching;
using A3cGrpc.TestSupport;
using Grpc.Net.Client;

namespace A3cGrpc.SystemTests;

/// <summary>
/// The distributed system as separate OS processes on loopback, as the launcher runs it: a parameter server on a
/// free port with a temporary run folder, and workers that each start their own EnvSim process. Small evaluation
/// settings so an evaluation and a checkpoint happen within seconds.
/// </summary>
internal sealed class LocalSystem : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly List<ServiceProcess> _workers = [];

    public LocalSystem(IReadOnlyDictionary<string, string>? environment = null)
    {
        RunDirectory = Directory.CreateTempSubdirectory("a3c-system-").FullName;
        Port = GrpcAddress.FreeLoopbackPort();
        Token = BearerToken.NewToken();
        _environment = environment ?? new Dictionary<string, string>();
        Channel = GrpcAddress.CreateChannel(Address);
    }

    public string RunDirectory { get; }

    public int Port { get; }

    public string Token { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    public GrpcChannel Channel { get; }

    public ServiceProcess? Server { get; private set; }

    public IReadOnlyList<ServiceProcess> Workers => _workers;

    public TrainingStatus.TrainingStatusClient Status => new(Channel);

    public Policy.PolicyClient Policy => new(Channel);

    public string LogFile(string name) => Path.Combine(RunDirectory, "logs", name + ".log");

    /// <summary>Starts the parameter server and waits until it serves.</summary>
    public async Task StartServerAsync()
    {
        Server = new ParameterServerLaunch(Address, RunDirectory, Token)
        {
            CheckpointIntervalSeconds = 2,
            EvaluateEveryEnvSteps = 4000,
            EvaluationEpisodes = 2,
            ExtraEnvironment = _environment,
        }.Start();
        await Server.WaitUntilServingAsync(Channel, TimeSpan.FromSeconds(120), CancellationToken.None);
    }

    /// <summary>Starts worker <paramref name="index"/> (1-based) with its own EnvSim process.</summary>
    public ServiceProcess StartWorker(int index, int environments = 4)
    {
        var id = $"worker-{index}";
        var worker = new WorkerLaunch(id, Address, Token, LogFile(id))
        {
            Environments = environments,
            Seed = index,
            ExtraEnvironment = _environment,
        }.Start();
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Polls the training status until <paramref name="condition"/> holds.</summary>
    public Task<TrainingStatusReply> WaitForStatusAsync(Func<TrainingStatusReply, bool> condition, TimeSpan timeout, string what) =>
        StatusPolling.WaitForStatusAsync(() => Status, condition, timeout, what, () => Task.FromResult($"Logs in {RunDirectory}/logs."));

    /// <summary>The child processes of <paramref name="parentProcessId"/> (from /proc).</summary>
    public static IReadOnlyList<int> ChildrenOf(int parentProcessId)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parentProcessId)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return children;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Channel.Dispose();

        // Keep the logs (named in failure messages); drop checkpoints and snapshots.
        foreach (var entry in Directory.EnumerateFileSystemEntries(RunDirectory).Where(e => Path.GetFileName(e) != "logs"))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    /// <summary>Stops the server gracefully (final checkpoint) and starts a new one on the same port and folder.</summary>
    public async Task RestartServerAsync()
    {
        if (Server is not null)
        {
            await Server.StopAsync(TimeSpan.FromSeconds(60));
            await Server.DisposeAsync();
        }

        await StartServerAsync();
    }
}

using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Launching;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.Cli.Launcher;

/// <summary>
/// The parameter server's settings as a launcher on this machine starts it (the local cluster, the benchmarks, the
/// system tests): one place that turns them into its command line and environment. Unset values keep the server's
/// defaults. Its output goes to <see cref="LogFile"/>, written by the server itself.
/// </summary>
/// <param name="Address">Where it listens (<c>http://127.0.0.1:port</c>).</param>
/// <param name="RunDirectory">The run folder (resumed when it holds a checkpoint).</param>
/// <param name="PushToken">The bearer token pushes must carry (passed in the environment, not on the command line).</param>
public sealed record ParameterServerLaunch(string Address, string RunDirectory, string PushToken)
{
    /// <summary>The process name in messages and the log file's name.</summary>
    public const string Name = "parameter-server";

    /// <summary>The run's seed.</summary>
    public int? Seed { get; init; }

    /// <summary>Finish at the first evaluation at or above the solve threshold.</summary>
    public bool? StopWhenSolved { get; init; }

    /// <summary>Seconds between periodic checkpoints.</summary>
    public int? CheckpointIntervalSeconds { get; init; }

    /// <summary>Step budget over the whole run (0: none).</summary>
    public long? StopAtEnvironmentSteps { get; init; }

    /// <summary>Training-time budget over the whole run (0: none).</summary>
    public double? StopAtElapsedSeconds { get; init; }

    /// <summary>The hyper-parameters, every key written out (the server's preset is then irrelevant).</summary>
    public A3cHyperparameters? Hyperparameters { get; init; }

    /// <summary>Evaluate every this many environment steps.</summary>
    public long? EvaluateEveryEnvSteps { get; init; }

    /// <summary>Episodes per evaluation.</summary>
    public int? EvaluationEpisodes { get; init; }

    /// <summary>The largest share of wall-clock time evaluations may take.</summary>
    public double? EvaluationMaxShare { get; init; }

    /// <summary>A file the server appends its spans to (JSON lines).</summary>
    public string? SpanFile { get; init; }

    /// <summary>The default log level (e.g. "Warning" for a benchmark).</summary>
    public string? LogLevel { get; init; }

    /// <summary>Further environment variables (e.g. <c>OTEL_*</c>).</summary>
    public IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The server's log file: <c>logs/parameter-server.log</c> in the run folder.</summary>
    public string LogFile => Path.Combine(RunDirectory, "logs", Name + ".log");

    /// <summary>The command line.</summary>
    public ServiceArguments Arguments()
    {
        const string server = ParameterServerOptions.SectionName;
        const string evaluation = EvaluationOptions.SectionName;
        var arguments = new ServiceArguments()
            .Urls(Address)
            .Set(server, nameof(ParameterServerOptions.RunDirectory), RunDirectory)
            .Set(server, nameof(ParameterServerOptions.Seed), Seed)
            .Set(server, nameof(ParameterServerOptions.StopWhenSolved), StopWhenSolved)
            .Set(server, nameof(ParameterServerOptions.CheckpointIntervalSeconds), CheckpointIntervalSeconds)
            .Set(server, nameof(ParameterServerOptions.StopAtEnvironmentSteps), StopAtEnvironmentSteps)
            .Set(server, nameof(ParameterServerOptions.StopAtElapsedSeconds), StopAtElapsedSeconds)
            .Set(evaluation, nameof(EvaluationOptions.EveryEnvSteps), EvaluateEveryEnvSteps)
            .Set(evaluation, nameof(EvaluationOptions.Episodes), EvaluationEpisodes)
            .Set(evaluation, nameof(EvaluationOptions.MaxShare), EvaluationMaxShare)
            .Set(TelemetryOptions.SectionName, nameof(TelemetryOptions.SpanFile), SpanFile)
            .Set("Logging:LogLevel", "Default", LogLevel);
        if (Hyperparameters is not null)
        {
            arguments.SetAll(A3cHyperparameters.SectionName, HyperparameterConfiguration.ToSettings(Hyperparameters));
        }

        return arguments;
    }

    /// <summary>Starts the server (<see cref="ServiceProcess.WaitUntilServingAsync"/> tells when it serves).</summary>
    public ServiceProcess Start() => ServiceProcess.Start(new ServiceStart(Name, ServiceBinaries.Find(ServiceBinaries.ParameterServer))
    {
        Arguments = Arguments(),
        Environment = new Dictionary<string, string>(ExtraEnvironment) { [EnvironmentKey(server: true)] = PushToken },
        LogFile = LogFile,
    });

    /// <summary>The environment variable of the push token, for the server or a worker.</summary>
    internal static string EnvironmentKey(bool server) => server
        ? $"{ParameterServerOptions.SectionName}__{nameof(ParameterServerOptions.PushToken)}"
        : $"{WorkerOptions.SectionName}__{nameof(WorkerOptions.PushToken)}";
}

/// <summary>
/// A worker's settings as a launcher on this machine starts it: it starts its own EnvSim process (found beside the
/// other services) and writes its output to <see cref="LogFile"/> itself.
/// </summary>
/// <param name="Id">The worker id ("worker-1").</param>
/// <param name="ServerAddress">The parameter server.</param>
/// <param name="PushToken">The push token (passed in the environment).</param>
/// <param name="LogFile">The worker's log file.</param>
public sealed record WorkerLaunch(string Id, string ServerAddress, string PushToken, string LogFile)
{
    /// <summary>The worker's seed.</summary>
    public int? Seed { get; init; }

    /// <summary>Environments it steps (unset: the server's hyper-parameters say).</summary>
    public int? Environments { get; init; }

    /// <summary>A file the worker appends its spans to.</summary>
    public string? SpanFile { get; init; }

    /// <summary>A file the worker's EnvSim appends its spans to.</summary>
    public string? SimulatorSpanFile { get; init; }

    /// <summary>Further environment variables (e.g. <c>OTEL_*</c>).</summary>
    public IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command line.</summary>
    public ServiceArguments Arguments()
    {
        const string worker = WorkerOptions.SectionName;
        return new ServiceArguments()
            .Set(worker, nameof(WorkerOptions.WorkerId), Id)
            .Set(worker, nameof(WorkerOptions.ParameterServerAddress), ServerAddress)
            .Set(worker, nameof(WorkerOptions.EnvSimPath), ServiceBinaries.Find(ServiceBinaries.EnvSim))
            .Set(worker, nameof(WorkerOptions.Environments), Environments)
            .Set(worker, nameof(WorkerOptions.Seed), Seed)
            .Set(worker, nameof(WorkerOptions.SimulatorSpanFile), SimulatorSpanFile)
            .Set(TelemetryOptions.SectionName, nameof(TelemetryOptions.SpanFile), SpanFile);
    }

    /// <summary>Starts the worker.</summary>
    public ServiceProcess Start() => ServiceProcess.Start(new ServiceStart(Id, ServiceBinaries.Find(ServiceBinaries.WorkerService))
    {
        Arguments = Arguments(),
        Environment = new Dictionary<string, string>(ExtraEnvironment) { [ParameterServerLaunch.EnvironmentKey(server: false)] = PushToken },
        LogFile = LogFile,
    });
}

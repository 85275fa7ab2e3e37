using System.Globalization;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Hosting;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using Grpc.Core;
using Grpc.Net.Client;

namespace A3cGrpc.Cli.Launcher;

/// <summary>
/// Runs the distributed system on this machine: the parameter server and N workers (each starting its own EnvSim
/// process) as separate OS processes on loopback, watching the server's status stream until training finishes (the
/// server's budgets or "solved"), the caller cancels (Ctrl-C), or the server keeps dying. Workers that die are
/// restarted; a server that dies is restarted on the same run folder and address (it resumes from its last
/// checkpoint, or starts afresh if it had written none; the workers reconnect by themselves), unless it died
/// <see cref="RestartWindow.ServerMaxDeaths"/> times within <see cref="RestartWindow.ServerWindow"/>.
/// Stopping is orderly: workers first (they finish or abandon their update), then the server (final checkpoint and
/// summary). Each process writes its own output to <c>logs/</c> in the run folder (so a killed launcher loses none
/// of it), spans to <c>telemetry/</c>.
/// </summary>
internal sealed class LocalCluster(LocalClusterSettings settings, ILocalClusterObserver observer)
{
    private const string ServerName = "parameter-server";

    private static readonly TimeSpan _workerStopGrace = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan _serverStopGrace = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan _serverStartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan _watchRetryDelay = TimeSpan.FromSeconds(1);

    private readonly string _token = BearerToken.NewToken();
    private readonly List<ChildProcess?> _workers = [];
    private readonly RestartWindow _serverDeaths = RestartWindow.ForServer();
    private ChildProcess? _server;
    private int _workerRestarts;

    /// <summary>Runs until training finishes or <paramref name="cancellationToken"/> fires; returns why it stopped.</summary>
    /// <exception cref="InvalidOperationException">The server did not start, or kept dying (the message names its log).</exception>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var folder = new RunFolder(settings.RunDirectory);
        Directory.CreateDirectory(folder.Path);
        var port = GrpcAddress.FreeLoopbackPort();
        var address = $"http://127.0.0.1:{port}";
        var serverProgram = ServiceBinaries.Find(ServiceBinaries.ParameterServer);
        var workerProgram = ServiceBinaries.Find(ServiceBinaries.WorkerService);
        var simulatorProgram = ServiceBinaries.Find(ServiceBinaries.EnvSim);

        var server = StartServer(serverProgram, address, folder);
        string reason;
        try
        {
            using var channel = GrpcAddress.CreateChannel(address);
            await GrpcHealth.WaitUntilServingAsync(
                channel, () => server.HasExited, _serverStartTimeout, $"parameter server (see {LogFile(folder, ServerName)})", cancellationToken);
            for (var i = 0; i < settings.Workers; i++)
            {
                _workers.Add(StartWorker(i, address, workerProgram, simulatorProgram, folder));
            }

            reason = await WatchAsync(channel, address, serverProgram, workerProgram, simulatorProgram, folder, cancellationToken);
        }
        catch (Exception exception) when (cancellationToken.IsCancellationRequested
                                          && exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Ctrl-C: the status stream ends as a cancelled call or a cancelled wait; stop everything below.
            reason = "interrupted";
        }
        finally
        {
            observer.OnMessage("stopping workers");
            await Task.WhenAll(_workers.OfType<ChildProcess>().Select(w => w.StopAsync(_workerStopGrace)));
            foreach (var worker in _workers.OfType<ChildProcess>())
            {
                await worker.DisposeAsync();
            }

            if (_server is { } last)
            {
                if (!last.HasExited)
                {
                    observer.OnMessage("stopping the parameter server (final checkpoint)");
                }

                await last.StopAsync(_serverStopGrace);
                await last.DisposeAsync();
            }
        }

        return reason;
    }

    private async Task<string> WatchAsync(
        GrpcChannel channel, string address, string serverProgram, string workerProgram, string simulatorProgram, RunFolder folder, CancellationToken cancellationToken)
    {
        var status = new TrainingStatus.TrainingStatusClient(channel);
        while (true)
        {
            try
            {
                using var call = status.WatchStatus(new WatchStatusRequest { IntervalMs = 1000 }, cancellationToken: cancellationToken);
                await foreach (var item in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    switch (item.EventCase)
                    {
                        case TrainingEvent.EventOneofCase.Progress:
                            observer.OnProgress(item.Progress);
                            if (item.Progress.FinishedReason is { Length: > 0 } finished)
                            {
                                return finished;
                            }

                            RestartDeadWorkers(address, workerProgram, simulatorProgram, folder);
                            break;
                        case TrainingEvent.EventOneofCase.Evaluation:
                            observer.OnEvaluation(item.Evaluation);
                            break;
                        case TrainingEvent.EventOneofCase.Solved:
                            observer.OnSolved(item.Solved);
                            break;
                        default:
                            break;
                    }
                }
            }
            catch (RpcException) when (!cancellationToken.IsCancellationRequested)
            {
                // The server is gone or restarting (its exit may not be seen yet): look again after a pause.
                await Task.Delay(_watchRetryDelay, cancellationToken);
            }

            if (_server!.HasExited)
            {
                await RestartServerAsync(channel, address, serverProgram, folder, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Starts the dead server again on the same folder and address until one serves, or gives up (throws) when it
    /// has died <see cref="RestartWindow.MaxDeaths"/> times within the window.
    /// </summary>
    private async Task RestartServerAsync(GrpcChannel channel, string address, string serverProgram, RunFolder folder, CancellationToken cancellationToken)
    {
        var log = LogFile(folder, ServerName);
        while (_server!.HasExited)
        {
            var exitCode = _server.ExitCode;
            await _server.DisposeAsync();
            if (!_serverDeaths.RecordDeath(DateTimeOffset.UtcNow))
            {
                _server = null;
                throw new InvalidOperationException(
                    $"The parameter server exited with code {exitCode}: {_serverDeaths.RecentDeaths} exits within {_serverDeaths.Window.TotalSeconds:F0} s, "
                    + $"so it is not restarted again. See {log}.");
            }

            var how = File.Exists(folder.Checkpoint)
                ? "it resumes from its last checkpoint"
                : "it had written no checkpoint yet, so it starts the run afresh in the same folder";
            observer.OnMessage($"parameter server exited with code {exitCode}; restarting it on {address} ({how})");
            var server = StartServer(serverProgram, address, folder);
            try
            {
                await GrpcHealth.WaitUntilServingAsync(
                    channel, () => server.HasExited, _serverStartTimeout, $"restarted parameter server (see {log})", cancellationToken);
            }
            catch (InvalidOperationException) when (server.HasExited)
            {
                // It died while starting: counted as another death by the loop.
            }
        }

        try
        {
            var status = await new TrainingStatus.TrainingStatusClient(channel)
                .GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
            var counters = status.Progress.Counters;
            observer.OnMessage(string.Create(CultureInfo.InvariantCulture,
                $"parameter server serving again at version {counters.ModelVersion}, {counters.EnvironmentSteps} environment steps; the workers reconnect by themselves"));
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            observer.OnMessage("parameter server serving again; the workers reconnect by themselves");
        }
    }

    private ChildProcess StartServer(string serverProgram, string address, RunFolder folder)
    {
        _server = ChildProcess.Start(ServerName, serverProgram, ServerArguments(address, folder), TokenEnvironment(), LogFile(folder, ServerName));
        observer.OnMessage($"parameter server: process {_server.ProcessId} on {address}");
        return _server;
    }

    private void RestartDeadWorkers(string address, string workerProgram, string simulatorProgram, RunFolder folder)
    {
        for (var i = 0; i < _workers.Count; i++)
        {
            if (_workers[i] is { HasExited: true } dead)
            {
                observer.OnMessage($"worker-{i + 1} exited (code {dead.ExitCode}); starting it again");
                _ = dead.DisposeAsync().AsTask();
                _workerRestarts++;
                _workers[i] = StartWorker(i, address, workerProgram, simulatorProgram, folder);
            }
        }
    }

    private ChildProcess StartWorker(int index, string address, string workerProgram, string simulatorProgram, RunFolder folder)
    {
        var id = $"worker-{index + 1}";
        var telemetry = Path.Combine(folder.Path, "telemetry");
        string[] arguments =
        [
            ConfigurationArgument.Of(WorkerOptions.SectionName, nameof(WorkerOptions.WorkerId), id),
            ConfigurationArgument.Of(WorkerOptions.SectionName, nameof(WorkerOptions.ParameterServerAddress), address),
            ConfigurationArgument.Of(WorkerOptions.SectionName, nameof(WorkerOptions.EnvSimPath), simulatorProgram),
            ConfigurationArgument.Of(WorkerOptions.SectionName, nameof(WorkerOptions.Seed), (settings.Run.Seed * 1000) + index + (_workerRestarts * 100)),
            ConfigurationArgument.Of(WorkerOptions.SectionName, nameof(WorkerOptions.SimulatorSpanFile), Path.Combine(telemetry, $"envsim-{id}.spans.jsonl")),
            ConfigurationArgument.Of(TelemetryOptions.SectionName, nameof(TelemetryOptions.SpanFile), Path.Combine(telemetry, $"{id}.spans.jsonl")),
        ];
        var worker = ChildProcess.Start(id, workerProgram, arguments, TokenEnvironment(), LogFile(folder, id));
        observer.OnMessage($"{id}: process {worker.ProcessId}, {settings.Run.Hyperparameters.EnvironmentsPerLearner(distributed: true)} environments");
        return worker;
    }

    private IEnumerable<string> ServerArguments(string address, RunFolder folder)
    {
        var run = settings.Run;
        var server = ParameterServerOptions.SectionName;
        yield return "--urls";
        yield return address;
        yield return ConfigurationArgument.Of(server, nameof(ParameterServerOptions.RunDirectory), folder.Path);
        yield return ConfigurationArgument.Of(server, nameof(ParameterServerOptions.Seed), run.Seed);
        yield return ConfigurationArgument.Of(server, nameof(ParameterServerOptions.StopWhenSolved), settings.StopWhenSolved);
        if (settings.CheckpointIntervalSeconds is { } checkpointInterval)
        {
            yield return ConfigurationArgument.Of(server, nameof(ParameterServerOptions.CheckpointIntervalSeconds), checkpointInterval);
        }

        yield return ConfigurationArgument.Of(server, nameof(ParameterServerOptions.StopAtEnvironmentSteps), settings.MaxEnvironmentSteps ?? 0);
        yield return ConfigurationArgument.Of(server, nameof(ParameterServerOptions.StopAtElapsedSeconds), settings.StopAtElapsedSeconds ?? 0);
        foreach (var (key, value) in HyperparameterConfiguration.ToSettings(run.Hyperparameters))
        {
            yield return ConfigurationArgument.Of(A3cHyperparameters.SectionName, key, value);
        }

        yield return ConfigurationArgument.Of(EvaluationOptions.SectionName, nameof(EvaluationOptions.EveryEnvSteps), run.Evaluation.EveryEnvSteps);
        yield return ConfigurationArgument.Of(EvaluationOptions.SectionName, nameof(EvaluationOptions.Episodes), run.Evaluation.Episodes);
        yield return ConfigurationArgument.Of(EvaluationOptions.SectionName, nameof(EvaluationOptions.MaxShare), run.Evaluation.MaxShare);
        yield return ConfigurationArgument.Of(TelemetryOptions.SectionName, nameof(TelemetryOptions.SpanFile), Path.Combine(folder.Path, "telemetry", "parameter-server.spans.jsonl"));
    }

    /// <summary>The push token travels in the environment, not on command lines other users can read.</summary>
    private Dictionary<string, string> TokenEnvironment() => new()
    {
        [$"{ParameterServerOptions.SectionName}__{nameof(ParameterServerOptions.PushToken)}"] = _token,
        [$"{WorkerOptions.SectionName}__{nameof(WorkerOptions.PushToken)}"] = _token,
    };

    private static string LogFile(RunFolder folder, string name) => Path.Combine(folder.Path, "logs", name + ".log");
}

using System.Globalization;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.ServiceDefaults.Launching;
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
    private static readonly TimeSpan _workerStopGrace = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan _serverStopGrace = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan _serverStartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan _watchRetryDelay = TimeSpan.FromSeconds(1);

    private readonly string _token = BearerToken.NewToken();
    private readonly List<ServiceProcess?> _workers = [];
    private readonly RestartWindow _serverDeaths = RestartWindow.ForServer();
    private ServiceProcess? _server;
    private int _workerRestarts;

    /// <summary>Runs until training finishes or <paramref name="cancellationToken"/> fires; returns why it stopped.</summary>
    /// <exception cref="InvalidOperationException">The server did not start, or kept dying (the message names its log).</exception>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var folder = new RunFolder(settings.RunDirectory);
        Directory.CreateDirectory(folder.Path);
        var port = GrpcAddress.FreeLoopbackPort();
        var address = $"http://127.0.0.1:{port}";
        var launch = ServerLaunch(address, folder);
        var server = StartServer(launch);
        string reason;
        try
        {
            using var channel = GrpcAddress.CreateChannel(address);
            await server.WaitUntilServingAsync(channel, _serverStartTimeout, cancellationToken);
            for (var i = 0; i < settings.Workers; i++)
            {
                _workers.Add(StartWorker(i, address, folder));
            }

            reason = await WatchAsync(channel, launch, folder, cancellationToken);
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
            await Task.WhenAll(_workers.OfType<ServiceProcess>().Select(w => w.StopAsync(_workerStopGrace)));
            foreach (var worker in _workers.OfType<ServiceProcess>())
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

    private async Task<string> WatchAsync(GrpcChannel channel, ParameterServerLaunch launch, RunFolder folder, CancellationToken cancellationToken)
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

                            RestartDeadWorkers(launch.Address, folder);
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
                await RestartServerAsync(channel, launch, folder, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Starts the dead server again on the same folder and address until one serves, or gives up (throws) when it
    /// has died <see cref="RestartWindow.MaxDeaths"/> times within the window.
    /// </summary>
    private async Task RestartServerAsync(GrpcChannel channel, ParameterServerLaunch launch, RunFolder folder, CancellationToken cancellationToken)
    {
        var log = launch.LogFile;
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
            observer.OnMessage($"parameter server exited with code {exitCode}; restarting it on {launch.Address} ({how})");
            var server = StartServer(launch);
            try
            {
                await server.WaitUntilServingAsync(channel, _serverStartTimeout, cancellationToken);
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

    private ServiceProcess StartServer(ParameterServerLaunch launch)
    {
        _server = launch.Start();
        observer.OnMessage($"parameter server: process {_server.ProcessId} on {launch.Address}");
        return _server;
    }

    private void RestartDeadWorkers(string address, RunFolder folder)
    {
        for (var i = 0; i < _workers.Count; i++)
        {
            if (_workers[i] is { HasExited: true } dead)
            {
                observer.OnMessage($"worker-{i + 1} exited (code {dead.ExitCode}); starting it again");
                _ = dead.DisposeAsync().AsTask();
                _workerRestarts++;
                _workers[i] = StartWorker(i, address, folder);
            }
        }
    }

    private ServiceProcess StartWorker(int index, string address, RunFolder folder)
    {
        var id = $"worker-{index + 1}";
        var telemetry = Path.Combine(folder.Path, "telemetry");
        var worker = new WorkerLaunch(id, address, _token, LogFile(folder, id))
        {
            Seed = (settings.Run.Seed * 1000) + index + (_workerRestarts * 100),
            SimulatorSpanFile = Path.Combine(telemetry, $"envsim-{id}.spans.jsonl"),
            SpanFile = Path.Combine(telemetry, $"{id}.spans.jsonl"),
        }.Start();
        observer.OnMessage($"{id}: process {worker.ProcessId}, {settings.Run.Hyperparameters.EnvironmentsPerLearner(distributed: true)} environments");
        return worker;
    }

    private ParameterServerLaunch ServerLaunch(string address, RunFolder folder)
    {
        var run = settings.Run;
        return new ParameterServerLaunch(address, folder.Path, _token)
        {
            Seed = run.Seed,
            StopWhenSolved = settings.StopWhenSolved,
            CheckpointIntervalSeconds = settings.CheckpointIntervalSeconds,
            StopAtEnvironmentSteps = settings.MaxEnvironmentSteps ?? 0,
            StopAtElapsedSeconds = settings.StopAtElapsedSeconds ?? 0,
            Hyperparameters = run.Hyperparameters,
            EvaluateEveryEnvSteps = run.Evaluation.EveryEnvSteps,
            EvaluationEpisodes = run.Evaluation.Episodes,
            EvaluationMaxShare = run.Evaluation.MaxShare,
            SpanFile = Path.Combine(folder.Path, "telemetry", ParameterServerLaunch.Name + ".spans.jsonl"),
        };
    }

    private static string LogFile(RunFolder folder, string name) => Path.Combine(folder.Path, "logs", name + ".log");
}

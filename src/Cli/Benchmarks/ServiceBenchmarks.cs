using System.Diagnostics;
using A3cGrpc.Cli.Launcher;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Launching;

namespace A3cGrpc.Cli.Benchmarks;

/// <summary>
/// Benchmarks of the running services on loopback: the parameter exchange (push and weights back, default and seed network),
/// <c>Act</c> latency and throughput, one server's capacity with synthetic pushers, and whole-system throughput for
/// chosen worker counts.
/// </summary>
internal static class ServiceBenchmarks
{
    /// <summary>
    /// The parameter exchange of one update against a real parameter server process, for the default and the seed's
    /// network, float32 and float16 on the wire, in both protocols side by side: a push and then a pull (two round trips,
    /// as workers did before issue 11) and a push whose reply carries the new weights (one round trip, what workers do).
    /// </summary>
    public static async Task<IReadOnlyList<LatencyStatistics>> ParameterExchangeAsync(int calls, Action<string> log)
    {
        var results = new List<LatencyStatistics>();
        foreach (var preset in new[] { HyperparameterPresets.DefaultName, HyperparameterPresets.SeedName })
        {
            await using var server = await BenchServer.StartAsync(HyperparameterPresets.Create(preset));
            var store = new ParameterStore.ParameterStoreClient(server.Channel);
            var description = await store.DescribeModelAsync(new DescribeModelRequest());
            var exchange = new ExchangeLoop(server, store, description);
            foreach (var encoding in new[] { TensorEncoding.Float32, TensorEncoding.Float16 })
            {
                foreach (var oneRoundTrip in new[] { false, true })
                {
                    var result = await exchange.MeasureAsync(preset, encoding, oneRoundTrip, calls);
                    results.AddRange(result);
                    log($"{result[^1].Name}: p50 {result[^1].P50Microseconds / 1000:F2} ms, p99 {result[^1].P99Microseconds / 1000:F2} ms, CPU {result[^1].CpuMicrosecondsPerCall / 1000:F2} ms per exchange");
                }
            }
        }

        return results;
    }

    /// <summary>
    /// <c>Act</c> (batch 1) latency from one caller and throughput from several concurrent callers, after a warm-up long
    /// enough for tiered JIT to finish; and a trivial call (<c>ListModelVersions</c>) as the transport's own cost.
    /// </summary>
    public static async Task<IReadOnlyList<LatencyStatistics>> ActAsync(int calls, Action<string> log)
    {
        await using var server = await BenchServer.StartAsync();
        var policy = new Policy.PolicyClient(server.Channel);
        var request = new ActRequest { Observation = { 0.1f, -0.2f, 0.9f, 0.3f, 0.05f } };
        var results = new List<LatencyStatistics>();
        for (var i = 0; i < 3000; i++)
        {
            await policy.ActAsync(request);
            await policy.ListModelVersionsAsync(new ListModelVersionsRequest());
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var trivial = new List<double>(calls);
        var trivialWall = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await policy.ListModelVersionsAsync(new ListModelVersionsRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            trivial.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        results.Add(LatencyStatistics.From("ListModelVersions (a trivial call), 1 caller", trivial, trivialWall.Elapsed.TotalSeconds, 0, "the transport's own round trip, for comparison"));
        log($"trivial call: p50 {results[^1].P50Microseconds:F0} µs, p99 {results[^1].P99Microseconds:F0} µs");
        foreach (var callers in new[] { 1, 4 })
        {

            var latencies = new List<double>[callers];
            var cpuStart = server.CpuTime + Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
            {
                latencies[c] = new List<double>(calls / callers);
                for (var i = 0; i < calls / callers; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await policy.ActAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
                    latencies[c].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }));
            var seconds = wall.Elapsed.TotalSeconds;
            var cpu = (server.CpuTime + Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMicroseconds;
            results.Add(LatencyStatistics.From(
                $"Act, {callers} concurrent caller(s)", [.. latencies.SelectMany(l => l)], seconds, cpu,
                "one observation, sampled action, live weights; CPU of client and server"));
            log($"Act with {callers} caller(s): p50 {results[^1].P50Microseconds:F0} µs, p99 {results[^1].P99Microseconds:F0} µs, {results[^1].CallsPerSecond:F0} calls/s");
        }

        return results;
    }

    /// <summary>
    /// One server's capacity: <paramref name="pushers"/> concurrent synthetic workers (no simulation, no learning) each
    /// push the default network's gradients and take the new weights from the reply as fast as the server answers, for
    /// <paramref name="seconds"/> per count. The pushers run in this process, on the same cores as the server.
    /// </summary>
    public static async Task<IReadOnlyList<ServerCapacity>> CapacityAsync(IReadOnlyList<int> pushers, double seconds, Action<string> log)
    {
        await using var server = await BenchServer.StartAsync(HyperparameterPresets.Create(HyperparameterPresets.DefaultName));
        var description = await new ParameterStore.ParameterStoreClient(server.Channel).DescribeModelAsync(new DescribeModelRequest());
        var results = new List<ServerCapacity>();
        foreach (var count in pushers)
        {
            var loops = Enumerable.Range(0, count).Select(_ => new ExchangeLoop(server, new ParameterStore.ParameterStoreClient(server.Channel), description)).ToArray();
            foreach (var loop in loops)
            {
                await loop.WarmUpAsync(calls: 100);
            }

            var serverCpu = server.CpuTime;
            var wall = Stopwatch.StartNew();
            var counts = await Task.WhenAll(loops.Select(loop => loop.RunForAsync(TimeSpan.FromSeconds(seconds))));
            var elapsed = wall.Elapsed.TotalSeconds;
            var applied = counts.Sum(c => c.Applied);
            var refused = counts.Sum(c => c.Refused);
            var cpu = (server.CpuTime - serverCpu).TotalMilliseconds;
            var result = new ServerCapacity(count, elapsed, applied / elapsed, refused / elapsed, cpu / Math.Max(1, applied), cpu / 1000 / elapsed);
            results.Add(result);
            log($"{count} synthetic pusher(s): {result.UpdatesPerSecond:F0} updates/s applied, {result.RefusedPerSecond:F1} refused/s, server CPU {result.ServerCpuMillisecondsPerUpdate:F2} ms per update ({result.ServerCores:F2} cores)");
        }

        return results;
    }

    /// <summary>Whole-system rates: the launcher's processes for <paramref name="seconds"/> each, with each worker count.</summary>
    public static async Task<IReadOnlyList<SystemThroughput>> SystemAsync(
        IReadOnlyList<int> workerCounts, double seconds, int environmentsPerWorker, Action<string> log)
    {
        var results = new List<SystemThroughput>();
        foreach (var workers in workerCounts)
        {
            var folder = Directory.CreateTempSubdirectory("a3c-bench-").FullName;
            var observer = new RateObserver();
            var hyperparameters = HyperparameterPresets.Create(HyperparameterPresets.DefaultName);
            hyperparameters.Environments = environmentsPerWorker;
            var settings = new LocalClusterSettings(
                new RunSettings(hyperparameters, 1, new EvaluationOptions { EveryEnvSteps = 10_000_000 }),
                folder, workers, null, seconds, StopWhenSolved: false);
            await new LocalCluster(settings, observer).RunAsync(CancellationToken.None);
            var result = observer.Rates(workers, environmentsPerWorker, warmUpSeconds: Math.Min(15, seconds / 4));
            results.Add(result);
            log($"{workers} worker(s) x {environmentsPerWorker} envs: {result.EnvironmentStepsPerSecond:F0} env steps/s, {result.UpdatesPerSecond:F1} updates/s, mean staleness {result.MeanStaleness:F2}");
            Directory.Delete(folder, recursive: true);
        }

        return results;
    }

    private static float[] SmallValues(int count)
    {
        var random = new Random(1);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() - 0.5) * 1e-3);
        }

        return values;
    }

    /// <summary>
    /// One synthetic worker of a bench server: pushes gradients (encoded each time, as a worker does) and takes the new
    /// weights from the reply (one round trip) or from a pull after it (two), decoding them.
    /// </summary>
    private sealed class ExchangeLoop(BenchServer server, ParameterStore.ParameterStoreClient store, ModelDescription description)
    {
        private const int WarmUpCalls = 20;
        private readonly Grpc.Core.Metadata _headers = BearerToken.ToMetadata(server.Token);
        private readonly NamedTensors _buffers = new(description.Parameters.Select(p =>
            new A3cGrpc.Learning.NamedTensor(p.Name, [.. p.Shape], SmallValues(p.Shape.Aggregate(1, (a, b) => a * b)))));

        private readonly A3cHyperparameters _hyperparameters = HyperparameterWire.FromDescription(description);

        // A worker id of its own, so that several loops on one server never send the same (worker, update) pair.
        private readonly string _workerId = $"bench-{Guid.NewGuid():N}";
        private long _updates;
        private long _version;

        /// <summary>Times <paramref name="calls"/> exchanges (after a warm-up) in one protocol and encoding.</summary>
        public async Task<IReadOnlyList<LatencyStatistics>> MeasureAsync(string preset, TensorEncoding encoding, bool oneRoundTrip, int calls)
        {
            await PullAsync();
            var push = new List<double>(calls);
            var pull = new List<double>(calls);
            var both = new List<double>(calls);
            var cpuStart = server.CpuTime + Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            for (var i = 0; i < calls + WarmUpCalls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var afterPush = await ExchangeAsync(encoding, oneRoundTrip);
                var done = Stopwatch.GetTimestamp();
                if (i >= WarmUpCalls)
                {
                    push.Add(Stopwatch.GetElapsedTime(started, afterPush).TotalMicroseconds);
                    pull.Add(Stopwatch.GetElapsedTime(afterPush, done).TotalMicroseconds);
                    both.Add(Stopwatch.GetElapsedTime(started, done).TotalMicroseconds);
                }
            }

            var seconds = wall.Elapsed.TotalSeconds;
            var cpu = (server.CpuTime + Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMicroseconds * calls / (calls + WarmUpCalls);
            var bytes = TensorWire.PayloadBytes(_buffers, encoding);
            var protocol = oneRoundTrip ? "push returning the weights" : "push + pull";
            var notes = $"{preset} network, {description.ParameterCount} parameters, {bytes / 1024.0:F0} KiB each way in {encoding}; " +
                $"{(oneRoundTrip ? "one round trip" : "two round trips")}; client encodes and decodes, server decodes, applies Adam and encodes; CPU of both processes";
            var name = $"{protocol} ({preset}, {encoding})";
            return oneRoundTrip
                ? [LatencyStatistics.From(name, both, seconds, cpu, notes)]
                :
                [
                    LatencyStatistics.From($"push ({preset}, {encoding})", push, seconds, cpu, notes),
                    LatencyStatistics.From($"pull ({preset}, {encoding})", pull, seconds, cpu, notes),
                    LatencyStatistics.From(name, both, seconds, cpu, notes),
                ];
        }

        /// <summary>Exchanges in one round trip (float32) <paramref name="calls"/> times, untimed.</summary>
        public async Task WarmUpAsync(int calls)
        {
            await PullAsync();
            for (var i = 0; i < calls; i++)
            {
                await ExchangeAsync(TensorEncoding.Float32, oneRoundTrip: true);
            }
        }

        /// <summary>Exchanges in one round trip until <paramref name="duration"/> has passed; a refused push pulls afresh.</summary>
        public async Task<(long Applied, long Refused)> RunForAsync(TimeSpan duration)
        {
            long applied = 0, refused = 0;
            await PullAsync();
            var wall = Stopwatch.StartNew();
            while (wall.Elapsed < duration)
            {
                try
                {
                    await ExchangeAsync(TensorEncoding.Float32, oneRoundTrip: true);
                    applied++;
                }
                catch (Grpc.Core.RpcException exception) when (exception.StatusCode == Grpc.Core.StatusCode.FailedPrecondition)
                {
                    refused++;
                    await PullAsync();
                }
            }

            return (applied, refused);
        }

        /// <summary>One update's exchange on the current version; returns the time the push was answered.</summary>
        private async Task<long> ExchangeAsync(TensorEncoding encoding, bool oneRoundTrip)
        {
            var reply = await store.PushGradientsAsync(Request(encoding, oneRoundTrip), _headers, DateTime.UtcNow.AddSeconds(10));
            var afterPush = Stopwatch.GetTimestamp();
            var weights = oneRoundTrip
                ? reply.Parameters
                : (await store.PullParametersAsync(
                    new PullParametersRequest { KnownVersion = _version, Encoding = encoding }, _headers, DateTime.UtcNow.AddSeconds(10))).Parameters;
            TensorWire.DecodeInto(weights, _buffers, "parameters");
            _version = weights.Version;
            return afterPush;
        }

        private async Task PullAsync()
        {
            var pulled = await store.PullParametersAsync(new PullParametersRequest(), _headers, DateTime.UtcNow.AddSeconds(10));
            TensorWire.DecodeInto(pulled.Parameters, _buffers, "parameters");
            _version = pulled.Version;
        }

        /// <summary>
        /// A worker's push of one 8-step rollout of one environment: the gradients encoded now, and the observation
        /// statistics of 8 observations when the model normalises them (the server requires them then).
        /// </summary>
        private PushGradientsRequest Request(TensorEncoding encoding, bool returnParameters)
        {
            const int steps = 8;
            var request = new PushGradientsRequest
            {
                WorkerId = _workerId,
                UpdateId = $"{_workerId}-{++_updates}",
                BaseVersion = _version,
                Gradients = TensorWire.Encode(_buffers, _version, encoding),
                Statistics = new RolloutStatistics { EnvironmentSteps = steps, Environments = 1 },
                ReturnParameters = returnParameters,
                ParametersEncoding = encoding,
            };
            if (_hyperparameters.NormalizeObservations)
            {
                request.Observed = new Contracts.V1.ObservationStatistics
                {
                    Count = steps,
                    Mean = { Enumerable.Repeat(0.0, _hyperparameters.ObservationSize) },
                    M2 = { Enumerable.Repeat((double)steps, _hyperparameters.ObservationSize) },
                };
            }

            return request;
        }
    }

    /// <summary>A parameter server process with a temporary run folder, for one benchmark.</summary>
    private sealed class BenchServer : IAsyncDisposable
    {
        private readonly ServiceProcess _process;
        private readonly string _folder;

        private BenchServer(ServiceProcess process, string folder, string token, Grpc.Net.Client.GrpcChannel channel)
        {
            _process = process;
            _folder = folder;
            Token = token;
            Channel = channel;
        }

        public string Token { get; }

        public Grpc.Net.Client.GrpcChannel Channel { get; }

        public TimeSpan CpuTime
        {
            get
            {
                using var process = Process.GetProcessById(_process.ProcessId);
                return process.TotalProcessorTime;
            }
        }

        public static async Task<BenchServer> StartAsync(A3cHyperparameters? hyperparameters = null)
        {
            var folder = Directory.CreateTempSubdirectory("a3c-bench-").FullName;
            var token = BearerToken.NewToken();
            var address = $"http://127.0.0.1:{GrpcAddress.FreeLoopbackPort()}";
            var process = new ParameterServerLaunch(address, folder, token)
            {
                EvaluateEveryEnvSteps = 1_000_000_000,
                LogLevel = "Warning",
                Hyperparameters = hyperparameters,
            }.Start();
            var channel = GrpcAddress.CreateChannel(address);
            try
            {
                await process.WaitUntilServingAsync(channel, TimeSpan.FromSeconds(120), CancellationToken.None);
            }
            catch
            {
                channel.Dispose();
                await process.DisposeAsync();
                throw;
            }

            return new BenchServer(process, folder, token, channel);
        }

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await _process.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Collects the server's progress snapshots to compute rates after a warm-up.</summary>
    private sealed class RateObserver : ILocalClusterObserver
    {
        private readonly List<Progress> _snapshots = [];

        public void OnMessage(string message)
        {
        }

        public void OnProgress(Progress progress)
        {
            lock (_snapshots)
            {
                _snapshots.Add(progress);
            }
        }

        public void OnEvaluation(EvaluationRecord evaluation)
        {
        }

        public void OnSolved(Solved solved)
        {
        }

        public SystemThroughput Rates(int workers, int environments, double warmUpSeconds)
        {
            lock (_snapshots)
            {
                var first = _snapshots.First(p => p.Counters.ElapsedSeconds >= warmUpSeconds);
                var last = _snapshots[^1];
                var seconds = last.Counters.ElapsedSeconds - first.Counters.ElapsedSeconds;
                return new SystemThroughput(
                    workers,
                    environments,
                    seconds,
                    (last.Counters.EnvironmentSteps - first.Counters.EnvironmentSteps) / seconds,
                    (last.Counters.Updates - first.Counters.Updates) / seconds,
                    _snapshots.Where(p => p.Counters.ElapsedSeconds >= warmUpSeconds).Average(p => p.MeanStaleness));
            }
        }
    }
}

/// <summary>What one parameter server applied with a number of synthetic pushers.</summary>
internal sealed record ServerCapacity(
    int Pushers,
    double MeasuredSeconds,
    double UpdatesPerSecond,
    double RefusedPerSecond,
    double ServerCpuMillisecondsPerUpdate,
    double ServerCores);

/// <summary>Whole-system rates measured after a warm-up.</summary>
internal sealed record SystemThroughput(
    int Workers,
    int EnvironmentsPerWorker,
    double MeasuredSeconds,
    double EnvironmentStepsPerSecond,
    double UpdatesPerSecond,
    double MeanStaleness);

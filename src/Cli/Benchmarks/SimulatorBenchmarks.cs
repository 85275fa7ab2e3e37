using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.SimulatorClient;
using A3cGrpc.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace A3cGrpc.Cli.Benchmarks;

/// <summary>
/// One simulator benchmark case: latency of one message (a lock-step round trip, a unary call or a local step) and the
/// CPU time both processes spent per message.
/// </summary>
/// <param name="Name">Case name, e.g. <c>envsim_stream_unix_k16</c>.</param>
/// <param name="Transport"><c>unix</c>, <c>tcp</c> or <c>in-process</c>.</param>
/// <param name="Call"><c>stream-step</c> (Run, one StepCommand and its reply), <c>unary-describe</c> or <c>local-step</c>.</param>
/// <param name="Environments">K, environments per message (0 for Describe).</param>
/// <param name="Messages">Messages timed.</param>
/// <param name="MeanMicroseconds">Mean latency of one message.</param>
/// <param name="P50Microseconds">Median latency of one message.</param>
/// <param name="P99Microseconds">99th percentile latency of one message.</param>
/// <param name="MeanMicrosecondsPerEnvironmentStep">Mean latency divided by K (0 for Describe).</param>
/// <param name="CpuMicrosecondsPerMessage">CPU time of this process and the simulator process together, per message.</param>
/// <param name="CpuMicrosecondsPerEnvironmentStep">The same divided by K (0 for Describe).</param>
/// <param name="Notes">What was measured.</param>
internal sealed record SimulatorBenchmarkResult(
    string Name,
    string Transport,
    string Call,
    int Environments,
    long Messages,
    double MeanMicroseconds,
    double P50Microseconds,
    double P99Microseconds,
    double MeanMicrosecondsPerEnvironmentStep,
    double CpuMicrosecondsPerMessage,
    double CpuMicrosecondsPerEnvironmentStep,
    string Notes);

/// <summary>
/// What talking to a separate EnvSim process costs: the lock-step <c>Run</c> round trip for K = 1 and K = 16 over a Unix
/// socket and TCP loopback, a unary <c>Describe</c> (the small-call baseline) on both, and the in-process
/// <see cref="VectorSwingUpEnv"/> step as the reference. Latency is timed per message (so p99 is real);
/// <see cref="Measurement"/> times batches of operations and fits the in-process core costs better.
/// </summary>
internal static class SimulatorBenchmarks
{
    private static readonly int[] _environmentCounts = [1, 16];
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan _callTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan _minimumWarmUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan _processWarmUp = TimeSpan.FromSeconds(5);

    /// <summary>Runs every case for <paramref name="perCase"/> (after an untimed warm-up) and logs each result.</summary>
    /// <param name="envSimPath">The EnvSim program (<c>A3cGrpc.EnvSim.dll</c>).</param>
    /// <param name="perCase">Timed duration of each case.</param>
    /// <param name="log">Receives one line per case.</param>
    public static IReadOnlyList<SimulatorBenchmarkResult> Run(string envSimPath, TimeSpan perCase, TextWriter log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(envSimPath);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(perCase, TimeSpan.Zero);
        return RunAsync(envSimPath, perCase, log).GetAwaiter().GetResult();
    }

    private static async Task<IReadOnlyList<SimulatorBenchmarkResult>> RunAsync(string envSimPath, TimeSpan perCase, TextWriter log)
    {
        var results = new List<SimulatorBenchmarkResult>();
        void Add(SimulatorBenchmarkResult result)
        {
            results.Add(result);
            log.WriteLine(Describe(result));
        }

        using var self = Process.GetCurrentProcess();
        foreach (var count in _environmentCounts)
        {
            Add(await LocalStepAsync(count, perCase, self));
        }

        var socketPath = Path.Combine(Path.GetTempPath(), $"a3c-envsim-bench-{Environment.ProcessId}.sock");
        var tcpAddress = $"http://127.0.0.1:{GrpcAddress.FreeLoopbackPort()}";
        string[] arguments = ["--urls", $"{GrpcAddress.ToListenUrl(GrpcAddress.UnixPrefix + socketPath)};{tcpAddress}"];
        await using var simulator = await SimulatorProcess.StartAsync(
            envSimPath, socketPath, arguments, NullLogger.Instance, _startTimeout, CancellationToken.None);
        using var child = Process.GetProcessById(simulator.ProcessId);
        TimeSpan BothProcesses()
        {
            self.Refresh();
            child.Refresh();
            return self.TotalProcessorTime + child.TotalProcessorTime;
        }

        await WarmUpAsync(simulator.Address, tcpAddress);
        foreach (var (transport, address) in new[] { ("unix", simulator.Address), ("tcp", tcpAddress) })
        {
            using var channel = GrpcAddress.CreateChannel(address);
            var client = new Simulator.SimulatorClient(channel);
            Add(await UnaryDescribeAsync(client, transport, perCase, BothProcesses));
            foreach (var count in _environmentCounts)
            {
                Add(await StreamStepAsync(client, transport, count, perCase, BothProcesses));
            }
        }

        return results;
    }

    /// <summary>
    /// Exercises every remote call on both transports, untimed, for <see cref="_processWarmUp"/>: the first case measured
    /// after the child started otherwise shows a tail of multi-millisecond calls (seen on whichever case ran first).
    /// </summary>
    private static async Task WarmUpAsync(params string[] addresses)
    {
        var end = Stopwatch.GetTimestamp() + (long)(_processWarmUp.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            foreach (var address in addresses)
            {
                using var channel = GrpcAddress.CreateChannel(address);
                var client = new Simulator.SimulatorClient(channel);
                await using var session = await SimulatorSession.OpenAsync(client, 16, baseSeed: 1, _callTimeout, CancellationToken.None);
                var actions = new float[16];
                for (var i = 0; i < 500; i++)
                {
                    await client.DescribeAsync(new DescribeSimulatorRequest(), deadline: DateTime.UtcNow + _callTimeout);
                    await session.StepAsync(actions, default, endsRollout: false, CancellationToken.None);
                }
            }
        }
    }

    private static async Task<SimulatorBenchmarkResult> LocalStepAsync(int count, TimeSpan perCase, Process self)
    {
        using var environments = new VectorSwingUpEnv(count, baseSeed: 1);
        environments.ResetAll();
        var actions = new double[count];
        var rewards = new double[count];
        var truncated = new bool[count];
        var observations = new float[count * SwingUpConstants.ObservationSize];
        var sign = 1.0;
        var samples = await Sample(perCase, () =>
        {
            sign = -sign;
            Array.Fill(actions, 0.5 * sign);
            environments.Step(actions, rewards, truncated);
            for (var i = 0; i < count; i++)
            {
                if (truncated[i])
                {
                    environments.Reset(i);
                }
            }

            environments.CopyObservationsTo(observations);
            return ValueTask.CompletedTask;
        }, () =>
        {
            self.Refresh();
            return self.TotalProcessorTime;
        });
        return samples.ToResult($"envsim_local_k{count}", "in-process", "local-step", count,
            "VectorSwingUpEnv.Step of K environments in this process, with the simulator's auto-reset and float copy (no gRPC); CPU of this process");
    }

    private static async Task<SimulatorBenchmarkResult> UnaryDescribeAsync(
        Simulator.SimulatorClient client, string transport, TimeSpan perCase, Func<TimeSpan> cpu)
    {
        var request = new DescribeSimulatorRequest();
        var samples = await Sample(
            perCase, async () => await client.DescribeAsync(request, deadline: DateTime.UtcNow + _callTimeout), cpu);
        return samples.ToResult($"envsim_describe_{transport}", transport, "unary-describe", 0,
            "Simulator.Describe: one small unary call with a deadline, the unary baseline; CPU of both processes");
    }

    private static async Task<SimulatorBenchmarkResult> StreamStepAsync(
        Simulator.SimulatorClient client, string transport, int count, TimeSpan perCase, Func<TimeSpan> cpu)
    {
        await using var session = await SimulatorSession.OpenAsync(client, count, baseSeed: 1, _callTimeout, CancellationToken.None);
        float[][] actions = [Enumerable.Repeat(0.5f, count).ToArray(), Enumerable.Repeat(-0.5f, count).ToArray()];
        var n = 0;
        var samples = await Sample(
            perCase, async () => await session.StepAsync(actions[n++ & 1], default, endsRollout: false, CancellationToken.None), cpu);
        return samples.ToResult($"envsim_stream_{transport}_k{count}", transport, "stream-step", count,
            $"SimulatorSession.StepAsync: one StepCommand with {count} actions and its reply ({count} observations, rewards, flags) on an open Run stream, lock step; CPU of both processes");
    }

    /// <summary>
    /// Runs <paramref name="operation"/> untimed for a tenth of <paramref name="duration"/>, at least <see cref="_minimumWarmUp"/>
    /// (long enough for both processes' JIT to reach tier 1), then times each call for <paramref name="duration"/>.
    /// </summary>
    private static async Task<Samples> Sample(TimeSpan duration, Func<ValueTask> operation, Func<TimeSpan> cpuTime)
    {
        var warmUp = TimeSpan.FromTicks(Math.Max(duration.Ticks / 10, _minimumWarmUp.Ticks));
        var warmUpEnd = Stopwatch.GetTimestamp() + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUpEnd)
        {
            await operation();
        }

        var latencies = new List<double>(1 << 16);
        var cpuStart = cpuTime();
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var now = start;
        while (now < end)
        {
            await operation();
            var next = Stopwatch.GetTimestamp();
            latencies.Add(Stopwatch.GetElapsedTime(now, next).TotalMicroseconds);
            now = next;
        }

        return new Samples([.. latencies], (cpuTime() - cpuStart).TotalMicroseconds);
    }

    private static string Describe(SimulatorBenchmarkResult r) =>
        $"{r.Name}: p50 {r.P50Microseconds:F1} µs, p99 {r.P99Microseconds:F1} µs, mean {r.MeanMicroseconds:F1} µs/message"
        + (r.Environments > 0 ? $" ({r.MeanMicrosecondsPerEnvironmentStep:F2} µs/env step)" : string.Empty)
        + $", CPU {r.CpuMicrosecondsPerMessage:F1} µs/message"
        + (r.Environments > 0 ? $" ({r.CpuMicrosecondsPerEnvironmentStep:F2} µs/env step)" : string.Empty)
        + $", {r.Messages:N0} messages";

    /// <summary>Per-message latencies (µs) and the CPU time (µs) spent while taking them.</summary>
    private sealed record Samples(double[] Latencies, double CpuMicroseconds)
    {
        public SimulatorBenchmarkResult ToResult(string name, string transport, string call, int environments, string notes)
        {
            Array.Sort(Latencies);
            var mean = Latencies.Average();
            var cpu = CpuMicroseconds / Latencies.Length;
            var perEnvironment = environments > 0 ? 1.0 / environments : 0.0;
            return new SimulatorBenchmarkResult(
                name, transport, call, environments, Latencies.Length, mean, Percentile(0.50), Percentile(0.99),
                mean * perEnvironment, cpu, cpu * perEnvironment, notes);
        }

        private double Percentile(double q) => Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(q * Latencies.Length) - 1)];
    }
}

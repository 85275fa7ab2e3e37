using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using A3cGrpc.Cli.Benchmarks;
using A3cGrpc.Learning;
using A3cGrpc.Training.Reporting;

namespace A3cGrpc.Cli.Commands;

/// <summary><c>a3c bench</c>: measures the core costs and writes them as JSON (never a test).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the JSON results (one file per run, named by time).",
            DefaultValueFactory = _ => Path.Combine("benchmarks", "results"),
        };
        var vectorSize = new Option<int>("--k")
        {
            Description = "K, the number of environments stepped together and the forward batch size.",
            DefaultValueFactory = _ => 16,
        };
        var repetitions = new Option<int>("--repetitions")
        {
            Description = "Timed repetitions per measurement (each many operations long); the median is reported.",
            DefaultValueFactory = _ => 15,
        };
        vectorSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 4096)
            {
                r.AddError("--k must be between 1 and 4096.");
            }
        });
        repetitions.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 3 or > 1000)
            {
                r.AddError("--repetitions must be between 3 and 1000.");
            }
        });

        var command = new Command("bench", "Measure environment steps/s (1 and K envs), forward latency (batch 1 and K) and one n-step update; write JSON.")
        {
            output, vectorSize, repetitions,
        };
        command.SetAction(parse =>
        {
            var writer = parse.InvocationConfiguration.Output;
            var startedAt = DateTimeOffset.UtcNow;
            var measurements = CoreBenchmarks.Run(parse.GetValue(vectorSize), parse.GetValue(repetitions), writer.WriteLine);
            var report = new
            {
                Benchmark = "core",
                StartedAt = startedAt,
                Machine = MachineDescription(),
                Measurements = measurements,
            };

            writer.WriteLine($"Wrote {Write(parse.GetValue(output)!, "core", startedAt, report)}");
            return 0;
        });
        command.Subcommands.Add(CreateSimulator(output));
        command.Subcommands.Add(CreateServices(output));
        return command;
    }

    /// <summary><c>a3c bench simulator</c>: the worker-to-EnvSim hop (stream vs unary, TCP vs Unix socket, K = 1 and 16).</summary>
    private static Command CreateSimulator(Option<string> output)
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = "Timed seconds per case.",
            DefaultValueFactory = _ => 5,
        };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.5 or > 600)
            {
                r.AddError("--seconds must be between 0.5 and 600.");
            }
        });
        var command = new Command("simulator", "Measure one simulator round trip per step against a real EnvSim process (lock-step stream and unary, TCP and Unix socket, K = 1 and 16), with the CPU both processes use; write JSON.")
        {
            output, seconds,
        };
        command.SetAction(parse =>
        {
            var writer = parse.InvocationConfiguration.Output;
            var startedAt = DateTimeOffset.UtcNow;
            var results = SimulatorBenchmarks.Run(
                A3cGrpc.Distributed.ServiceBinaries.Find(A3cGrpc.Distributed.ServiceBinaries.EnvSim), TimeSpan.FromSeconds(parse.GetValue(seconds)), writer);
            var report = new { Benchmark = "simulator", StartedAt = startedAt, Machine = MachineDescription(), Cases = results };
            writer.WriteLine($"Wrote {Write(parse.GetValue(output)!, "simulator", startedAt, report)}");
            return 0;
        });
        return command;
    }

    /// <summary><c>a3c bench services</c>: the running services on loopback (parameter exchange, Act, whole system).</summary>
    private static Command CreateServices(Option<string> output)
    {
        var calls = new Option<int>("--calls")
        {
            Description = "Timed calls per latency measurement.",
            DefaultValueFactory = _ => 2000,
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Training seconds per whole-system run (1 and 2 workers); the first quarter (at most 15 s) is warm-up.",
            DefaultValueFactory = _ => 75,
        };
        var environments = new Option<int>("--envs-per-worker")
        {
            Description = "Environments per worker in the whole-system runs.",
            DefaultValueFactory = _ => HyperparameterPresets.Create(HyperparameterPresets.DefaultName).Environments,
        };
        calls.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 100 or > 1_000_000)
            {
                r.AddError("--calls must be between 100 and 1000000.");
            }
        });
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 20 or > 3600)
            {
                r.AddError("--seconds must be between 20 and 3600.");
            }
        });
        var command = new Command("services", "Measure push + pull latency, Act latency and throughput, and env steps/s and updates/s with 1 and 2 workers; write JSON.")
        {
            output, calls, seconds, environments,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var writer = parse.InvocationConfiguration.Output;
            var startedAt = DateTimeOffset.UtcNow;
            var exchange = await ServiceBenchmarks.ParameterExchangeAsync(parse.GetValue(calls), writer.WriteLine);
            var act = await ServiceBenchmarks.ActAsync(parse.GetValue(calls), writer.WriteLine);
            var system = await ServiceBenchmarks.SystemAsync(parse.GetValue(seconds), parse.GetValue(environments), writer.WriteLine);
            var report = new
            {
                Benchmark = "services",
                StartedAt = startedAt,
                Machine = MachineDescription(),
                ParameterExchange = exchange,
                Act = act,
                System = system,
            };
            await writer.WriteLineAsync($"Wrote {Write(parse.GetValue(output)!, "services", startedAt, report)}");
            return 0;
        });
        return command;
    }

    private static string Write(string folder, string name, DateTimeOffset startedAt, object report)
    {
        var directory = Directory.CreateDirectory(folder).FullName;
        var path = Path.Combine(directory, $"{name}-{startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(report, RunJson.Options));
        return path;
    }

    private static object MachineDescription()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new
        {
            Os = RuntimeInformation.OSDescription,
            Runtime = RuntimeInformation.FrameworkDescription,
            Cores = Environment.ProcessorCount,
            Cpu = cpu ?? "unknown",
            TorchThreads = A3cGrpc.Learning.TorchRuntime.Threads,
        };
    }
}

using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using A3cGrpc.Cli.Benchmarks;
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

            var folder = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            var path = Path.Combine(folder, $"core-{startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json");
            File.WriteAllText(path, JsonSerializer.Serialize(report, RunJson.Options));
            writer.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
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

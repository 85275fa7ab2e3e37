using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using A3cGrpc.Cli.Benchmarks;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Experiments.Reporting;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Launching;

namespace A3cGrpc.Cli.Commands;

/// <summary><c>a3c bench</c>: measures the core costs and writes them as JSON (never a test).</summary>
internal static class BenchCommand
{
    /// <summary>The measurements of <c>a3c bench services</c> (<c>--parts</c>).</summary>
    private static readonly string[] _serviceParts = ["exchange", "act", "capacity", "system"];

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
        command.Subcommands.Add(CreateLearning(output));
        return command;
    }

    /// <summary><c>a3c bench learning</c>: S seeds of the real system under one budget each; JSON and a PNG of every curve.</summary>
    private static Command CreateLearning(Option<string> output)
    {
        var hyperparameters = new HyperparameterOptions();
        var evaluationDefaults = new EvaluationOptions();
        var seeds = new Option<int>("--seeds")
        {
            Description = "Seeds to run, 1 .. S, one after another.",
            DefaultValueFactory = _ => 5,
        };
        var firstSeed = new Option<int>("--first-seed")
        {
            Description = "The first seed (the seeds are first .. first + S - 1).",
            DefaultValueFactory = _ => 1,
        };
        var workers = new Option<int>("--workers", "-w")
        {
            Description = "Worker processes, as for a3c train (0: the single-process trainer).",
            DefaultValueFactory = _ => 2,
        };
        var minutes = new Option<double>("--minutes")
        {
            Description = "Wall-clock budget of each seed, in minutes (training does not stop when solved, unless --stop-when-solved).",
            DefaultValueFactory = _ => 15,
        };
        var maxSteps = new Option<long?>("--max-steps")
        {
            Description = "Environment-step budget of each seed as well (default: none).",
        };
        var evalEvery = new Option<long>("--eval-every")
        {
            Description = "Evaluate every this many environment steps (as a3c train).",
            DefaultValueFactory = _ => evaluationDefaults.EveryEnvSteps,
        };
        var runsRoot = new Option<string>("--runs")
        {
            Description = "Folder for the seeds' run folders.",
            DefaultValueFactory = _ => Path.Combine("runs", "bench"),
        };
        var label = new Option<string?>("--label")
        {
            Description = "Name of this configuration in the results (default: the preset and the --set overrides).",
        };
        seeds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 100)
            {
                r.AddError("--seeds must be between 1 and 100.");
            }
        });
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 64)
            {
                r.AddError("--workers must be between 0 and 64.");
            }
        });
        minutes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and <= 24 * 60))
            {
                r.AddError("--minutes must be positive (at most a day).");
            }
        });
        var stopWhenSolved = new Option<bool>("--stop-when-solved")
        {
            Description = "End each seed at its first evaluation mean ≥ 800, as a3c train does (for ablations that measure the time to solve; a late collapse no longer shows).",
        };
        var command = new Command("learning", "Run S seeds of the real system (as a3c train does) one after another under one budget each; write per-seed and median times to evaluation means of 400, 800 and 870 as JSON, and every curve as a PNG.")
        {
            output, seeds, firstSeed, workers, minutes, maxSteps, stopWhenSolved, evalEvery, runsRoot, label,
        };
        foreach (var option in hyperparameters.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var writer = parse.InvocationConfiguration.Output;
            A3cHyperparameters hyper;
            try
            {
                hyper = hyperparameters.Resolve(parse);
                hyper.Validate();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.DataAnnotations.ValidationException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }

            var evaluation = new EvaluationOptions { EveryEnvSteps = parse.GetValue(evalEvery) };
            var workerCount = parse.GetValue(workers);
            var name = parse.GetValue(label) ?? string.Join(" ", new[] { hyper.Preset }.Concat(parse.GetValue(hyperparameters.Set) ?? []));
            var startedAt = DateTimeOffset.UtcNow;
            var stamp = startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var fileName = $"learning-{Slug(name)}-{workerCount}w-{stamp}";
            var outcomes = new List<SeedOutcome>();
            for (var i = 0; i < parse.GetValue(seeds); i++)
            {
                var seed = parse.GetValue(firstSeed) + i;
                var runDirectory = Path.Combine(parse.GetValue(runsRoot)!, fileName, $"seed-{seed}");
                await writer.WriteLineAsync($"[{name}] seed {seed}: {runDirectory}");
                var outcome = await LearningBenchmark.RunSeedAsync(
                    hyper, evaluation, seed, workerCount, TimeSpan.FromMinutes(parse.GetValue(minutes)), parse.GetValue(maxSteps), runDirectory,
                    parse.GetValue(stopWhenSolved), new QuietObserver(), cancellationToken);
                outcomes.Add(outcome);
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"[{name}] seed {seed}: {outcome.EnvSteps:N0} steps in {outcome.WallSeconds:F0} s; 800 at {Describe(outcome.Milestones[1])}, best {outcome.Best?.Mean:F1}, final {outcome.Final?.Mean:F1}, best confirmed {outcome.BestPolicy?.Confirmation?.Mean:F1}"));
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }

            var aggregate = LearningBenchmark.Aggregate(outcomes);
            var report = new
            {
                Benchmark = "learning",
                Label = name,
                StartedAt = startedAt,
                Machine = MachineDescription(),
                Workers = workerCount,
                BudgetMinutesPerSeed = parse.GetValue(minutes),
                MaxStepsPerSeed = parse.GetValue(maxSteps),
                StopWhenSolved = parse.GetValue(stopWhenSolved),
                Hyperparameters = hyper,
                Evaluation = evaluation,
                Aggregate = aggregate,
                Seeds = outcomes,
            };
            var folder = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            var json = Path.Combine(folder, fileName + ".json");
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, RunJson.Options), CancellationToken.None);
            var png = Path.Combine(folder, fileName + ".png");
            LearningBenchmark.SavePlot(png, $"{name}, {(workerCount == 0 ? "single process" : $"{workerCount} workers")}: evaluation mean of each seed and their median", outcomes, evaluation);
            foreach (var threshold in aggregate.Thresholds)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"[{name}] ≥ {threshold.Threshold}: {threshold.SeedsReached}/{aggregate.Seeds} seeds, median {Minutes(threshold.MedianWallSeconds)}, slowest {Minutes(threshold.SlowestWallSeconds)}"));
            }

            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{name}] median best {aggregate.MedianBest:F1}, median final {aggregate.MedianFinal:F1}, best confirmed ≥ 800 in {aggregate.SeedsWithConfirmedBestAtLeast800}/{aggregate.Seeds}, {aggregate.SeedsEndingMoreThan100BelowTheirBest} ended > 100 below their best; {aggregate.MedianEnvStepsPerSecond:F0} steps/s"));
            await writer.WriteLineAsync($"Wrote {json} and {png}");
            return 0;
        });
        return command;

        static string Describe(ThresholdReached? reached) =>
            reached is null ? "never" : string.Create(CultureInfo.InvariantCulture, $"{reached.WallSeconds:F0} s ({reached.EnvSteps:N0} steps)");

        static string Minutes(double? seconds) =>
            seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s / 60:F1} min") : "-";

        static string Slug(string text) =>
            string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_')).Trim('_');
    }

    /// <summary>Keeps the processes' chatter out of a benchmark's output.</summary>
    private sealed class QuietObserver : Launcher.ILocalClusterObserver
    {
        public void OnMessage(string message)
        {
        }

        public void OnProgress(Contracts.V1.Progress progress)
        {
        }

        public void OnEvaluation(Contracts.V1.EvaluationRecord evaluation)
        {
        }

        public void OnSolved(Contracts.V1.Solved solved)
        {
        }
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
                ServiceBinaries.Find(ServiceBinaries.EnvSim), TimeSpan.FromSeconds(parse.GetValue(seconds)), writer);
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
            Description = "Training seconds per whole-system run (one per --workers count); the first quarter (at most 15 s) is warm-up.",
            DefaultValueFactory = _ => 75,
        };
        var workerCounts = new Option<int[]>("--workers")
        {
            Description = "Worker counts of the whole-system runs (e.g. --workers 1 2 4 8).",
            DefaultValueFactory = _ => [1, 2],
            AllowMultipleArgumentsPerToken = true,
        };
        var pushers = new Option<int[]>("--pushers")
        {
            Description = "Synthetic pusher counts of the server-capacity measurement.",
            DefaultValueFactory = _ => [1, 2, 4, 8],
            AllowMultipleArgumentsPerToken = true,
        };
        var capacitySeconds = new Option<double>("--capacity-seconds")
        {
            Description = "Seconds per pusher count in the server-capacity measurement.",
            DefaultValueFactory = _ => 10,
        };
        var parts = new Option<string[]>("--parts")
        {
            Description = "Which measurements to run: exchange, act, capacity, system (default: all).",
            DefaultValueFactory = _ => [.. _serviceParts],
            AllowMultipleArgumentsPerToken = true,
        };
        parts.AcceptOnlyFromAmong([.. _serviceParts]);
        foreach (var counts in new[] { workerCounts, pushers })
        {
            counts.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int[]>() is not { Length: > 0 } values || values.Any(v => v is < 1 or > 64))
                {
                    r.AddError($"{r.Option.Name} takes one or more counts between 1 and 64.");
                }
            });
        }

        capacitySeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 1 or > 600)
            {
                r.AddError("--capacity-seconds must be between 1 and 600.");
            }
        });
        var environments = new Option<int>("--envs-per-worker")
        {
            Description = "Environments per worker in the whole-system runs.",
            DefaultValueFactory = _ => HyperparameterPresets.Create(HyperparameterPresets.DefaultName).EnvironmentsPerLearner(distributed: true),
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
        var command = new Command(
            "services",
            "Measure the parameter exchange (both protocols), Act latency and throughput, one server's capacity with synthetic pushers, and env steps/s and updates/s per worker count; write JSON.")
        {
            output, calls, seconds, environments, workerCounts, pushers, capacitySeconds, parts,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var writer = parse.InvocationConfiguration.Output;
            var startedAt = DateTimeOffset.UtcNow;
            var selected = parse.GetValue(parts)!.ToHashSet(StringComparer.Ordinal);
            var exchange = selected.Contains("exchange") ? await ServiceBenchmarks.ParameterExchangeAsync(parse.GetValue(calls), writer.WriteLine) : null;
            var act = selected.Contains("act") ? await ServiceBenchmarks.ActAsync(parse.GetValue(calls), writer.WriteLine) : null;
            var capacity = selected.Contains("capacity")
                ? await ServiceBenchmarks.CapacityAsync(parse.GetValue(pushers)!, parse.GetValue(capacitySeconds), writer.WriteLine)
                : null;
            var system = selected.Contains("system")
                ? await ServiceBenchmarks.SystemAsync(parse.GetValue(workerCounts)!, parse.GetValue(seconds), parse.GetValue(environments), writer.WriteLine)
                : null;
            var report = new
            {
                Benchmark = "services",
                StartedAt = startedAt,
                Machine = MachineDescription(),
                ParameterExchange = exchange,
                Act = act,
                Capacity = capacity,
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

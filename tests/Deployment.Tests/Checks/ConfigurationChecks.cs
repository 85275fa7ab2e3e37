extern alias EnvSimApp;
using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using A3cGrpc.Deployment.Tests.Support;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ParameterServer.Hosting;
using A3cGrpc.ServiceDefaults.Telemetry;
using EnvSimApp::A3cGrpc.EnvSim.Options;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace A3cGrpc.Deployment.Tests.Checks;

/// <summary>The environment of our containers against the options classes their programs bind.</summary>
internal static class ConfigurationChecks
{
    /// <summary>
    /// Every variable a container of ours gets (from <c>env</c> and from the ConfigMaps and Secrets of <c>envFrom</c>)
    /// is one its program reads: <c>Section__Property</c> where Section is the <c>SectionName</c> of an options class
    /// the program binds and Property a public settable property of that class (<c>Section__Property__N</c> for a
    /// collection), or a platform variable (<see cref="A3cService.TelemetryVariables"/>, ASPNETCORE_HTTP_PORTS on the
    /// web hosts, <c>DOTNET_*</c>, <c>Logging__*</c>). Every reference resolves, and the required variables are set.
    /// </summary>
    public static IEnumerable<string> VariableProblems(Manifest manifest)
    {
        foreach (var (workload, container, service) in manifest.A3cContainers)
        {
            var where = $"{workload} container {container.Name} ({service})";
            var environment = new ContainerEnvironment(manifest, container);
            foreach (var problem in environment.Problems)
            {
                yield return $"{where}: {problem}";
            }

            foreach (var name in environment.Entries.Keys)
            {
                if (UnreadReason(service, name) is { } reason)
                {
                    yield return $"{where}: {name} ({environment.Entries[name].From}) is not read: {reason}";
                }
            }

            foreach (var required in service.RequiredVariables)
            {
                if (string.IsNullOrWhiteSpace(environment[required]))
                {
                    yield return $"{where}: required {required} is not set";
                }
            }
        }
    }

    /// <summary>Why <paramref name="service"/> does not read variable <paramref name="name"/>, or null if it does.</summary>
    public static string? UnreadReason(A3cService service, string name)
    {
        if (A3cService.TelemetryVariables.Contains(name) || name.StartsWith("DOTNET_", StringComparison.Ordinal)
            || name.StartsWith("Logging__", StringComparison.Ordinal))
        {
            return null;
        }

        if (name == A3cService.HttpPortsVariable)
        {
            return service.IsWebHost ? null : $"{service} is not an ASP.NET Core host";
        }

        var parts = name.Split("__");
        var sections = service.Options.ToDictionary(A3cService.SectionName, StringComparer.Ordinal);
        if (!sections.TryGetValue(parts[0], out var options))
        {
            return $"{service} binds sections {string.Join(", ", sections.Keys)}, not '{parts[0]}'";
        }

        if (parts.Length < 2)
        {
            return $"a whole section '{parts[0]}' is not a setting";
        }

        var property = options.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance);
        if (property?.SetMethod is not { IsPublic: true })
        {
            return $"{options.Name} has no public settable property '{parts[1]}'";
        }

        if (parts.Length == 2)
        {
            return null;
        }

        var isCollection = property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(property.PropertyType);
        return parts.Length == 3 && isCollection && int.TryParse(parts[2], out var index) && index >= 0
            ? null
            : $"{options.Name}.{parts[1]} is not a collection indexed by '{string.Join("__", parts[2..])}'";
    }

    /// <summary>
    /// The values bind and validate as the programs do at start-up: each options section is bound from the
    /// container's configuration (unknown keys and unparsable values are errors) and checked with the class's own
    /// <c>Validate()</c> (its [Range] attributes and cross-field rules) and, for the server, its extra start-up rule
    /// (<see cref="RunFileLimits"/>). The worker's environments fit its sidecar's session limit.
    /// </summary>
    public static IEnumerable<string> ValueProblems(Manifest manifest)
    {
        foreach (var (workload, container, service) in manifest.A3cContainers)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new ContainerEnvironment(manifest, container).ToConfiguration())
                .Build();
            foreach (var type in service.Options)
            {
                var problem = BindAndValidate(configuration, type, out _);
                if (problem is not null)
                {
                    yield return $"{workload} container {container.Name} ({service}): {problem}";
                }
            }
        }

        // Without Worker:Environments a worker steps as many environments as the server's hyper-parameters say.
        var server = manifest.A3cContainers.FirstOrDefault(c => c.Service.Kind == A3cServiceKind.ParameterServer).Container;
        var serverHyperparameters = server is null ? null : Bind<A3cHyperparameters>(manifest, server);
        foreach (var workload in manifest.Workloads)
        {
            var worker = workload.Pod.Containers.FirstOrDefault(c => A3cService.ForImage(c.Image)?.Kind == A3cServiceKind.Worker);
            var envsim = workload.Pod.Containers.FirstOrDefault(c => A3cService.ForImage(c.Image)?.Kind == A3cServiceKind.EnvSim);
            if (worker is null || envsim is null)
            {
                continue;
            }

            var workerOptions = Bind<WorkerOptions>(manifest, worker);
            var simulatorOptions = Bind<SimulatorOptions>(manifest, envsim);
            var environments = workerOptions?.Environments ?? serverHyperparameters?.EnvironmentsPerLearner(distributed: true);
            if (environments is not null && simulatorOptions is not null && environments > simulatorOptions.MaxEnvironments)
            {
                var source = workerOptions?.Environments is null ? "the server's A3c:Environments" : "Worker:Environments";
                yield return $"{workload}: {source} {environments} exceeds the sidecar's Simulator:MaxEnvironments {simulatorOptions.MaxEnvironments}";
            }
        }
    }

    /// <summary>Binds <paramref name="type"/>'s section strictly and validates it; the problem, or null.</summary>
    public static string? BindAndValidate(IConfiguration configuration, Type type, out object? bound)
    {
        var section = A3cService.SectionName(type);
        bound = null;
        try
        {
            // The hyper-parameters bind over their preset, as the parameter server binds them.
            bound = type == typeof(A3cHyperparameters)
                ? HyperparameterConfiguration.Resolve(configuration.GetSection(section))
                : configuration.GetSection(section).Get(type, binder => binder.ErrorOnUnknownConfiguration = true) ?? Activator.CreateInstance(type)!;
            switch (bound)
            {
                case ParameterServerOptions server:
                    server.Validate();
                    var limits = new RunFileLimits().Validate(null, server);
                    if (limits.Failed)
                    {
                        return $"{section}: {limits.FailureMessage}";
                    }

                    break;
                case WorkerOptions worker:
                    worker.Validate();
                    break;
                case SimulatorOptions simulator:
                    simulator.Validate();
                    break;
                case A3cHyperparameters hyperparameters:
                    hyperparameters.Validate();
                    break;
                case EvaluationOptions evaluation:
                    evaluation.Validate();
                    break;
                case TelemetryOptions:
                    break;
                default:
                    return $"{type.Name}: no validation known";
            }

            return null;
        }
        catch (Exception exception) when (exception is ValidationException or InvalidOperationException or ArgumentException)
        {
            return $"{section}: {exception.Message}";
        }
    }

    /// <summary>A container's options of type <typeparamref name="T"/> as its program binds them (null if they do not bind).</summary>
    public static T? Bind<T>(Manifest manifest, V1Container container)
        where T : class
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new ContainerEnvironment(manifest, container).ToConfiguration())
            .Build();
        return BindAndValidate(configuration, typeof(T), out var bound) is null ? (T?)bound : null;
    }
}

extern alias EnvSimApp;

using System.Collections.Concurrent;
using A3cGrpc.Deployment.Tests.Checks;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using k8s.Models;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>
/// The real parameter server and EnvSim, started in process (<see cref="WebApplicationFactory{TEntryPoint}"/>) with
/// the configuration a rendered container's environment makes, to ask them what the probes ask. One host per program
/// and distinct configuration, shared by the tests of a class and stopped at its end. Two settings differ from the
/// container's: the server's run directory is a temporary folder (not the volume's /data/run), and the OTLP endpoint
/// is left out (there is no collector here; the exporter would only retry and delay the stop).
/// </summary>
public sealed class LiveServices : IAsyncLifetime
{
    private static readonly TimeSpan _callDeadline = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Lazy<LiveHost>> _hosts = new(StringComparer.Ordinal);
    private readonly string _runRoot = Path.Combine(Path.GetTempPath(), "a3c-deployment-tests-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Asks each question of the program that runs in that container, configured as the container is.</summary>
    internal async Task<IReadOnlyDictionary<HealthQuestion, string>> AnswerAsync(Manifest manifest)
    {
        var answers = new Dictionary<HealthQuestion, string>();
        foreach (var (workload, container, service, question) in ProbeChecks.Questions(manifest))
        {
            var host = Host(manifest, container, service.Kind);
            var health = new Health.HealthClient(host.Channel);
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest { Service = question.Service }, deadline: DateTime.UtcNow + _callDeadline);
                answers[question] = reply.Status.ToString();
            }
            catch (RpcException exception)
            {
                answers[question] = string.IsNullOrEmpty(exception.Status.Detail)
                    ? exception.StatusCode.ToString()
                    : $"{exception.StatusCode} ({exception.Status.Detail})";
            }
        }

        return answers;
    }

    /// <summary>The host options (shutdown timeout) the program in <paramref name="container"/> runs with.</summary>
    internal HostOptions HostOptionsOf(Manifest manifest, V1Container container, A3cServiceKind kind) =>
        Host(manifest, container, kind).Services.GetRequiredService<IOptions<HostOptions>>().Value;

    /// <summary>The options of type <typeparamref name="T"/> the program in <paramref name="container"/> runs with.</summary>
    internal T OptionsOf<T>(Manifest manifest, V1Container container, A3cServiceKind kind)
        where T : class =>
        Host(manifest, container, kind).Services.GetRequiredService<IOptions<T>>().Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated))
        {
            await host.Value.DisposeAsync();
        }

        if (Directory.Exists(_runRoot))
        {
            Directory.Delete(_runRoot, recursive: true);
        }
    }

    private LiveHost Host(Manifest manifest, V1Container container, A3cServiceKind kind)
    {
        var settings = new ContainerEnvironment(manifest, container)
            .ToConfiguration(name => !name.StartsWith("OTEL_", StringComparison.Ordinal));
        var key = kind + "|" + string.Join('\n', settings.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));
        return _hosts.GetOrAdd(key, _ => new Lazy<LiveHost>(() => kind switch
        {
            A3cServiceKind.ParameterServer => LiveHost.Start(new WebApplicationFactory<Program>(), WithRunDirectory(settings)),
            A3cServiceKind.EnvSim => LiveHost.Start(new WebApplicationFactory<EnvSimApp::Program>(), settings),
            _ => throw new InvalidOperationException($"{kind} is not a server."),
        })).Value;
    }

    private Dictionary<string, string?> WithRunDirectory(Dictionary<string, string?> settings)
    {
        var copy = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
        {
            ["ParameterServer:RunDirectory"] = Path.Combine(_runRoot, "run-" + Guid.NewGuid().ToString("N")[..8]),
        };
        return copy;
    }
}

/// <summary>One started program and a gRPC channel to it over the test server.</summary>
internal sealed class LiveHost : IAsyncDisposable
{
    private readonly IAsyncDisposable _factory;

    private LiveHost(IAsyncDisposable factory, GrpcChannel channel, IServiceProvider services)
    {
        _factory = factory;
        Channel = channel;
        Services = services;
    }

    public GrpcChannel Channel { get; }

    public IServiceProvider Services { get; }

    public static LiveHost Start<TProgram>(WebApplicationFactory<TProgram> factory, IReadOnlyDictionary<string, string?> settings)
        where TProgram : class
    {
        var configured = factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        try
        {
            var channel = GrpcChannel.ForAddress(configured.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = configured.Server.CreateHandler() });
            return new LiveHost(new Disposables(configured, factory), channel, configured.Services);
        }
        catch
        {
            configured.Dispose();
            factory.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class Disposables(params IAsyncDisposable[] items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items)
            {
                await item.DisposeAsync();
            }
        }
    }
}

using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.OtlpReceiver;
using A3cGrpc.TestSupport;
using Docker.DotNet;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Images;
using DotNet.Testcontainers.Networks;
using DotNet.Testcontainers.Volumes;
using Grpc.Net.Client;

namespace A3cGrpc.EndToEndTests;

/// <summary>
/// The system as the Kubernetes manifests deploy it, in Docker containers from the built images, on a private
/// network: the parameter server (alias <c>parameter-server</c>, its run folder on a named volume) and worker "pods",
/// each an EnvSim container and a worker container sharing its network namespace (the worker reaches EnvSim on
/// 127.0.0.1, as in a pod). Root filesystems are read-only with a tmpfs on /tmp, as in the manifests. Every container
/// exports OTLP traces to a receiver this process runs. The test talks to the server through a mapped port only.
/// It starts with the server and two pods, worker-1 and worker-2.
/// Nothing is pulled: every image must be built first (scripts/build-images.sh).
/// </summary>
public sealed class Cluster : IAsyncLifetime
{
    public const string ServerAlias = "parameter-server";

    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(120);
    private readonly string _prefix = $"a3c-e2e-{Guid.NewGuid():N}"[..20];
    private readonly List<IContainer> _containers = [];
    private readonly Dictionary<string, (IContainer EnvSim, IContainer Worker)> _pods = [];
    private INetwork? _network;
    private IVolume? _runVolume;
    private GrpcChannel? _channel;

    static Cluster()
    {
        // The reaper (Ryuk) is an image that cannot be pulled here; every container is removed by DisposeAsync.
        TestcontainersSettings.ResourceReaperEnabled = false;
    }

    public string Token { get; } = BearerToken.NewToken();

    public OtlpTraceReceiver Receiver { get; private set; } = null!;

    public IContainer Server { get; private set; } = null!;

    public TrainingStatus.TrainingStatusClient Status => new(_channel);

    public Policy.PolicyClient Policy => new(_channel);

    public IContainer WorkerOf(string pod) => _pods[pod].Worker;

    public async Task InitializeAsync()
    {
        // Containers reach this process through the Docker host's gateway address.
        Receiver = await OtlpTraceReceiver.StartAsync("0.0.0.0", "host.docker.internal");
        _network = new NetworkBuilder().WithName(_prefix).Build();
        await _network.CreateAsync();
        _runVolume = new VolumeBuilder().WithName($"{_prefix}-run").Build();
        await _runVolume.CreateAsync();
        await StartServerAsync();
        await StartPodAsync("worker-1");
        await StartPodAsync("worker-2");
    }

    /// <summary>Starts a parameter server container on the run volume and waits until its gRPC health says SERVING.</summary>
    public async Task StartServerAsync()
    {
        Server = Track(Containerized(RepositoryFiles.Images.Tagged(RepositoryFiles.Images.Server), $"server-{_containers.Count}")
            .WithNetworkAliases(ServerAlias)
            .WithVolumeMount(_runVolume, "/data")
            .WithPortBinding(ServicePorts.ParameterServer, true)
            .WithEnvironment(new Dictionary<string, string>
            {
                ["ParameterServer__PushToken"] = Token,
                ["ParameterServer__CheckpointIntervalSeconds"] = "2",

                // The steps run for minutes on one training run; a run that solves the task meanwhile (as one did in CI,
                // at 102 s) would refuse the pushes that later steps wait for.
                ["ParameterServer__StopWhenSolved"] = "false",
                ["Evaluation__EveryEnvSteps"] = "4000",
                ["Evaluation__Episodes"] = "2",
            })
            .WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(new GrpcServing(ServicePorts.ParameterServer), o => o.WithTimeout(_startTimeout)))
            .Build());
        await Server.StartAsync();
        _channel?.Dispose();
        _channel = GrpcAddress.CreateChannel($"http://{Server.Hostname}:{Server.GetMappedPublicPort(ServicePorts.ParameterServer)}");
    }

    /// <summary>Stops the server container (SIGTERM: a final checkpoint) and starts a new one on the same volume.</summary>
    public async Task RestartServerAsync()
    {
        await Server.StopAsync();
        await StartServerAsync();
    }

    /// <summary>
    /// Starts a worker pod: EnvSim, then a worker in its network namespace, with id <paramref name="pod"/>. The worker
    /// starts once EnvSim serves; or, with <paramref name="envSimDelaySeconds"/>, at once while EnvSim's start is held
    /// back that long (a slow sidecar: the worker must wait for it).
    /// </summary>
    public async Task StartPodAsync(string pod, string? pushToken = null, int envSimDelaySeconds = 0)
    {
        var envSimBuilder = Containerized(RepositoryFiles.Images.Tagged(RepositoryFiles.Images.EnvSim), pod).WithPortBinding(ServicePorts.EnvSim, true);
        envSimBuilder = envSimDelaySeconds > 0
            ? envSimBuilder.WithEntrypoint("/bin/sh", "-c", $"sleep {envSimDelaySeconds} && exec /app/A3cGrpc.EnvSim")
            : envSimBuilder.WithWaitStrategy(
                Wait.ForUnixContainer().AddCustomWaitStrategy(new GrpcServing(ServicePorts.EnvSim), o => o.WithTimeout(_startTimeout)));

        var envSim = Track(envSimBuilder.Build());
        await envSim.StartAsync();
        var worker = Track(Configured(RepositoryFiles.Images.Tagged(RepositoryFiles.Images.Worker), $"{pod}-worker", networkMode: $"container:{envSim.Id}")
            .WithEnvironment(new Dictionary<string, string>
            {
                ["Worker__WorkerId"] = pod,
                ["Worker__PushToken"] = pushToken ?? Token,
                ["Worker__ParameterServerAddress"] = $"http://{ServerAlias}:{ServicePorts.ParameterServer}",
                ["Worker__EnvSimAddress"] = $"http://127.0.0.1:{ServicePorts.EnvSim}",
                ["Worker__Environments"] = "4",
            })
            .Build());
        await worker.StartAsync();
        _pods[pod] = (envSim, worker);
    }

    /// <summary>Kills a pod's worker container at once (SIGKILL), as a crashed node would.</summary>
    public async Task KillWorkerAsync(string pod)
    {
        using var docker = new DockerClientConfiguration().CreateClient();
        await docker.Containers.KillContainerAsync(_pods[pod].Worker.Id, new ContainerKillParameters { Signal = "KILL" });
    }

    /// <summary>Polls the training status through the mapped port until <paramref name="condition"/> holds.</summary>
    public Task<TrainingStatusReply> WaitForStatusAsync(Func<TrainingStatusReply, bool> condition, string what, TimeSpan? timeout = null) =>
        StatusPolling.WaitForStatusAsync(() => Status, condition, timeout ?? TimeSpan.FromSeconds(180), what, () => LogsAsync());

    /// <summary>The last lines of every container's output, for failure messages.</summary>
    public async Task<string> LogsAsync(int lines = 15)
    {
        var text = new System.Text.StringBuilder();
        foreach (var container in _containers)
        {
            var (stdout, stderr) = await container.GetLogsAsync();
            var tail = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines);
            text.AppendLine($"--- {container.Name}").AppendLine(string.Join('\n', tail));
        }

        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        foreach (var container in Enumerable.Reverse(_containers))
        {
            await container.DisposeAsync();
        }

        if (_runVolume is not null)
        {
            await _runVolume.DeleteAsync();
        }

        if (_network is not null)
        {
            await _network.DeleteAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }

    /// <summary>A container on the private network, reaching the trace receiver on the host.</summary>
    private ContainerBuilder Containerized(string image, string name) =>
        Configured(image, name)
            .WithNetwork(_network)
            .WithExtraHost("host.docker.internal", "host-gateway");

    /// <summary>
    /// The settings every container shares: the built image (never pulled), read-only root, OTLP export; optionally
    /// another container's network namespace.
    /// </summary>
    private ContainerBuilder Configured(string image, string name, string? networkMode = null) =>
        new ContainerBuilder()
            .WithImage(image)
            .WithImagePullPolicy(PullPolicy.Never)
            .WithName($"{_prefix}-{name}")
            .WithTmpfsMount("/tmp")
            .WithCreateParameterModifier(parameters =>
            {
                parameters.HostConfig.ReadonlyRootfs = true;
                if (networkMode is not null)
                {
                    parameters.HostConfig.NetworkMode = networkMode;
                }
            })
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Receiver.Endpoint)
            .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "200");

    private IContainer Track(IContainer container)
    {
        _containers.Add(container);
        return container;
    }
}

extern alias EnvSimApp;
using A3cGrpc.Distributed;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;
using A3cGrpc.ServiceDefaults.Telemetry;
using EnvSimApp::A3cGrpc.EnvSim.Options;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>Our three programs.</summary>
internal enum A3cServiceKind
{
    ParameterServer,
    Worker,
    EnvSim,
}

/// <summary>
/// What the code of one of our programs says a container of it needs: the image the build produces, the port it
/// listens on (<see cref="ServicePorts"/>; none for the worker), the options classes it binds (from Program.cs and
/// its hosting extensions) and the settings without which it does not start.
/// </summary>
internal sealed record A3cService(
    A3cServiceKind Kind,
    string BuiltImage,
    int? Port,
    IReadOnlyList<Type> Options,
    IReadOnlyList<string> RequiredVariables,
    int? PolicyPort = null)
{
    /// <summary>Environment variables every one of our programs reads beyond its options sections.</summary>
    public static readonly IReadOnlyList<string> TelemetryVariables =
    [
        TelemetrySetup.OtlpEndpointVariable,
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
    ];

    /// <summary>ASP.NET Core's port variable (the two web hosts only).</summary>
    public const string HttpPortsVariable = "ASPNETCORE_HTTP_PORTS";

    public static readonly A3cService ParameterServer = new(
        A3cServiceKind.ParameterServer,
        Repository.Images.Server,
        ServicePorts.ParameterServer,
        [typeof(ParameterServerOptions), typeof(A3cHyperparameters), typeof(EvaluationOptions), typeof(TelemetryOptions)],
        ["ParameterServer__RunDirectory", "ParameterServer__PushToken"],
        ServicePorts.ParameterServerPolicy);

    public static readonly A3cService Worker = new(
        A3cServiceKind.Worker,
        Repository.Images.Worker,
        Port: null,
        [typeof(WorkerOptions), typeof(TelemetryOptions)],
        ["Worker__WorkerId", "Worker__PushToken", "Worker__ParameterServerAddress", "Worker__EnvSimAddress"]);

    public static readonly A3cService EnvSim = new(
        A3cServiceKind.EnvSim,
        Repository.Images.EnvSim,
        ServicePorts.EnvSim,
        [typeof(SimulatorOptions), typeof(TelemetryOptions)],
        []);

    public static readonly IReadOnlyList<A3cService> All = [ParameterServer, Worker, EnvSim];

    /// <summary>Whether it is an ASP.NET Core host (reads ASPNETCORE_HTTP_PORTS, answers gRPC health checks).</summary>
    public bool IsWebHost => Port is not null;

    /// <summary>Every port it listens on in the deployment: its main port, then the policy's own port (the server only).</summary>
    public IReadOnlyList<int> ListenPorts => Port is { } port ? (PolicyPort is { } policy ? [port, policy] : [port]) : [];

    /// <summary>The service whose built image <paramref name="image"/> is (any registry and tag), or null.</summary>
    public static A3cService? ForImage(string image)
    {
        var repository = ImageReference.Parse(image).Repository;
        return All.SingleOrDefault(service =>
            repository == service.BuiltImage || repository.EndsWith("/" + service.BuiltImage, StringComparison.Ordinal));
    }

    /// <summary>The configuration section an options class binds from (its <c>SectionName</c> constant).</summary>
    public static string SectionName(Type options) =>
        options.GetField("SectionName")?.GetRawConstantValue() as string
        ?? throw new InvalidOperationException($"{options.Name} has no SectionName constant.");

    public override string ToString() => Kind.ToString();
}

/// <summary>An image reference split into repository (with any registry), tag and digest.</summary>
internal sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    public static ImageReference Parse(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        string? digest = null;
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = image[(at + 1)..];
            image = image[..at];
        }

        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/')
            ? new ImageReference(image[..colon], image[(colon + 1)..], digest)
            : new ImageReference(image, null, digest);
    }
}

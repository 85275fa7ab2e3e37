using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed;
using A3cGrpc.Learning;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;

namespace A3cGrpc.ParameterServer.Tests.TestSupport;

/// <summary>
/// The real parameter server in process (<see cref="WebApplicationFactory{TEntryPoint}"/> over the test server) with
/// settings injected as configuration, and gRPC clients on it. Disposing it stops the host gracefully (final
/// checkpoint), as Ctrl-C does.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    /// <summary>The push token every test server uses.</summary>
    public const string PushToken = "test-push-token-0123456789";

    private readonly WebApplicationFactory<Program> _factory;

    private ServerHost(WebApplicationFactory<Program> factory, string runDirectory)
    {
        _factory = factory;
        RunDirectory = runDirectory;
        Channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = factory.Server.CreateHandler(),
            MaxReceiveMessageSize = 64 << 20,
        });
        Store = new ParameterStore.ParameterStoreClient(Channel);
        Policy = new Policy.PolicyClient(Channel);
        Status = new TrainingStatus.TrainingStatusClient(Channel);
    }

    /// <summary>The run folder.</summary>
    public string RunDirectory { get; }

    /// <summary>A channel to the server.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>ParameterStore client.</summary>
    public ParameterStore.ParameterStoreClient Store { get; }

    /// <summary>Policy client.</summary>
    public Policy.PolicyClient Policy { get; }

    /// <summary>TrainingStatus client.</summary>
    public TrainingStatus.TrainingStatusClient Status { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>The metadata a push needs.</summary>
    public static Metadata PushAuth => BearerToken.ToMetadata(PushToken);

    /// <summary>
    /// The settings every test server starts from: the seed preset with the small network (tests of the default preset
    /// set A3c:Preset themselves), one evaluation episode, evaluations only at
    /// start (the interval is far away), quiet logs. <see cref="Start"/> overrides or (with null) removes entries.
    /// </summary>
    public static Dictionary<string, string?> BaseSettings(string runDirectory) => new()
    {
        ["ParameterServer:RunDirectory"] = runDirectory,
        ["ParameterServer:PushToken"] = PushToken,
        ["A3c:Preset"] = HyperparameterPresets.SeedName,
        ["A3c:HiddenSizes:0"] = TestModel.HiddenSizes[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["A3c:HiddenSizes:1"] = TestModel.HiddenSizes[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Evaluation:Episodes"] = "1",
        ["Evaluation:ConfirmationEpisodes"] = "2",
        ["Evaluation:MaxShare"] = "1",
        ["Evaluation:EveryEnvSteps"] = "1000000000",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>Starts a server on <paramref name="runDirectory"/> (resumed if it holds a checkpoint).</summary>
    public static ServerHost Start(string runDirectory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = BaseSettings(runDirectory);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                all.Remove(key);
            }
            else
            {
                all[key] = value;
            }
        }

        var factory = CreateFactory(all);
        try
        {
            return new ServerHost(factory, runDirectory);
        }
        catch
        {
            factory.Dispose();
            throw;
        }
    }

    /// <summary>A factory with exactly <paramref name="settings"/> (not started).</summary>
    public static WebApplicationFactory<Program> CreateFactory(IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _factory.DisposeAsync();
    }
}

using A3cGrpc.ParameterServer.Tests.TestSupport;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace A3cGrpc.ParameterServer.Tests;

public sealed class StartupTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "ParameterServer:PushToken", "short", "PushToken" },
        { "ParameterServer:PushToken", null, "PushToken" },
        { "ParameterServer:RunDirectory", null, "RunDirectory" },
        { "ParameterServer:PolicyToken", "tiny", "PolicyToken must be at least 16 characters" },
        { "ParameterServer:MaxStaleness", "-1", "MaxStaleness" },
        { "ParameterServer:Seed", "4294967296", "Seed must fit in a 32-bit integer" },
        { "A3c:NSteps", "0", "NSteps" },
        { "A3c:Gamma", "1.5", "Gamma" },
        { "A3c:HiddenSizes:0", "0", "HiddenSizes[0] must be in [1, 1000000]" },
        { "Evaluation:Episodes", "0", "Episodes" },
        { "Evaluation:EveryEnvSteps", "0", "EveryEnvSteps" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Start_InvalidOption_FailsWithAMessageNamingIt(string key, string? value, string expected)
    {
        using var folder = new TempDirectory();
        var settings = ServerHost.BaseSettings(folder.Path);
        if (value is null)
        {
            settings.Remove(key);
        }
        else
        {
            settings[key] = value;
        }

        using var factory = ServerHost.CreateFactory(settings);
        var error = Assert.ThrowsAny<Exception>(() => factory.Server);

        var message = error is AggregateException aggregate ? string.Join(" | ", aggregate.InnerExceptions.Select(e => e.Message)) : error.Message;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder.Path, "checkpoint.a3c")));
    }

    [Fact]
    public async Task HealthCheck_ModelLoaded_IsServing()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var health = new Health.HealthClient(server.Channel);

        var reply = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListsTheThreeServices()
    {
        using var folder = new TempDirectory();
        await using var server = ServerHost.Start(folder.Path);
        var reflection = new ServerReflection.ServerReflectionClient(server.Channel);

        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("a3c.v1.ParameterStore", services);
        Assert.Contains("a3c.v1.Policy", services);
        Assert.Contains("a3c.v1.TrainingStatus", services);
    }
}

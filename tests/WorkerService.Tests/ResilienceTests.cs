using A3cGrpc.Distributed.Options;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Polly.Registry;
using Polly.Timeout;

namespace A3cGrpc.WorkerService.Tests;

/// <summary>The worker's one resilience pipeline around calls to the parameter server.</summary>
public sealed class ResilienceTests
{
    private static Polly.ResiliencePipeline Pipeline(double maxOutageSeconds = 30)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<WorkerOptions>().Configure(o => o.MaxOutageSeconds = maxOutageSeconds);
        services.AddParameterServerResilience();
        return services.BuildServiceProvider().GetRequiredService<ResiliencePipelineProvider<string>>()
            .GetPipeline(ParameterServerClient.PipelineName);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.Internal, true)]
    [InlineData(StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.InvalidArgument, false)]
    [InlineData(StatusCode.Unauthenticated, false)]
    [InlineData(StatusCode.ResourceExhausted, false)]
    public void IsTransient_RetriesOnlyWhatAnotherAttemptCanFix(StatusCode code, bool transient) =>
        Assert.Equal(transient, Resilience.IsTransient(new RpcException(new Status(code, "x"))));

    [Fact]
    public async Task TransientFailures_AreRetried_UntilTheCallSucceeds()
    {
        var attempts = 0;
        var result = await Pipeline().ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 3 ? throw new RpcException(new Status(StatusCode.Unavailable, "restarting")) : ValueTask.FromResult(42);
        });

        Assert.Equal(42, result);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task RefusedCall_IsNotRetried()
    {
        var attempts = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Pipeline().ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "stale push"));
        }));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task ServerDownLongerThanTheOutageLimit_GivesUp()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<TimeoutRejectedException>(async () => await Pipeline(maxOutageSeconds: 1).ExecuteAsync<int>(_ =>
        {
            attempts++;
            throw new RpcException(new Status(StatusCode.Unavailable, "down"));
        }));

        Assert.True(attempts >= 2, $"{attempts} attempts");
    }
}

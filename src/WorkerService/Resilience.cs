using A3cGrpc.Distributed.Options;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace A3cGrpc.WorkerService;

/// <summary>The resilience pipeline around every call to the parameter server (Polly, with its telemetry).</summary>
internal static class Resilience
{
    /// <summary>Status codes worth retrying: the server is restarting, overloaded or the call timed out.</summary>
    private static readonly StatusCode[] _transient =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Aborted, StatusCode.Internal, StatusCode.Unknown];

    /// <summary>True for an outcome the pipeline retries.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RpcException rpc => _transient.Contains(rpc.StatusCode),
        BrokenCircuitException => true,
        HttpRequestException => true,
        _ => false,
    };

    /// <summary>
    /// Registers <see cref="ParameterServerClient.PipelineName"/>: an overall timeout of
    /// <see cref="WorkerOptions.MaxOutageSeconds"/>, then retries without a count limit (exponential backoff from
    /// 100 ms up to 5 s, jittered), then a circuit breaker that opens for 2 s when half of at least 4 calls in 10 s
    /// failed. Each call also has its own gRPC deadline.
    /// </summary>
    public static IServiceCollection AddParameterServerResilience(this IServiceCollection services)
    {
        services.AddResiliencePipeline(ParameterServerClient.PipelineName, (builder, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<WorkerOptions>>().Value;
            var shouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient);
            builder
                .AddTimeout(new TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(options.MaxOutageSeconds) })
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = shouldHandle,
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(100),
                    MaxDelay = TimeSpan.FromSeconds(5),
                })
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    ShouldHandle = shouldHandle,
                    FailureRatio = 0.5,
                    MinimumThroughput = 4,
                    SamplingDuration = TimeSpan.FromSeconds(10),
                    BreakDuration = TimeSpan.FromSeconds(2),
                });
        });
        return services;
    }
}

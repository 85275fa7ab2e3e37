using System.Threading.RateLimiting;
using A3cGrpc.EnvSim.Options;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace A3cGrpc.EnvSim.Sessions;

/// <summary>Admits at most <see cref="SimulatorOptions.MaxSessions"/> sessions at once; no queue.</summary>
public sealed class SessionLimiter(IOptions<SimulatorOptions> options) : IDisposable
{
    private readonly int _maxSessions = options.Value.MaxSessions;
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxSessions,
        QueueLimit = 0,
    });

    /// <summary>A lease on one session slot, to dispose when the session ends.</summary>
    /// <exception cref="RpcException">ResourceExhausted: every slot is taken.</exception>
    public RateLimitLease Enter()
    {
        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        throw new RpcException(new Status(
            StatusCode.ResourceExhausted,
            $"This simulator already serves {_maxSessions} sessions (Simulator:MaxSessions); end one or use another simulator."));
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}

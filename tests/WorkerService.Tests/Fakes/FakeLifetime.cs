using Microsoft.Extensions.Hosting;

namespace A3cGrpc.WorkerService.Tests.Fakes;

/// <summary>An application lifetime that counts <see cref="StopApplication"/> calls (and stops nothing).</summary>
internal sealed class FakeLifetime : IHostApplicationLifetime
{
    private int _stops;

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public int StopApplicationCalls => Volatile.Read(ref _stops);

    public void StopApplication() => Interlocked.Increment(ref _stops);
}

using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;

namespace A3cGrpc.Distributed.SimulatorClient;

/// <summary>
/// The client side of one simulator session (<c>Simulator.Run</c>): K environments stepped in lock step, one
/// message per step for all of them. Every reply must arrive within the reply timeout and is checked for size before
/// it is exposed.
/// </summary>
/// <remarks>
/// <para>Failures are <see cref="RpcException"/>s with the status preserved: a reply that does not arrive in time is
/// DeadlineExceeded, a stream that ends without a reply is Unavailable, a malformed reply is Internal. After any of
/// them the session is broken (every later call throws the same status): dispose it and, if the simulator itself is
/// gone, replace it. Cancelling a call's token throws <see cref="OperationCanceledException"/> and also breaks the
/// session. Bad arguments (<see cref="ArgumentException"/>) are refused before anything is sent and leave the session
/// usable.</para>
/// <para>Not thread-safe: one call at a time.</para>
/// </remarks>
public sealed class SimulatorSession : IEnvironmentSession
{
    private readonly AsyncDuplexStreamingCall<SimulatorCommand, SimulatorReply> _call;
    private readonly TimeSpan _replyTimeout;
    private readonly SimulatorCommand _stepCommand = new() { Step = new StepCommand() };
    private readonly float[] _observations;
    private readonly float[] _finalObservations;
    private readonly float[] _rewards;
    private readonly bool[] _truncated;
    private CancellationTokenSource _replyDeadline = new();
    private ActivityContext _traceContext;
    private RpcException? _failure;
    private int _busy;
    private bool _disposed;

    private SimulatorSession(
        AsyncDuplexStreamingCall<SimulatorCommand, SimulatorReply> call, int count, SimulatorDescription description, TimeSpan replyTimeout)
    {
        _call = call;
        _replyTimeout = replyTimeout;
        Count = count;
        ObservationSize = description.ObservationSize;
        ActionSize = description.ActionSize;
        _observations = new float[count * ObservationSize];
        _finalObservations = new float[count * ObservationSize];
        _rewards = new float[count];
        _truncated = new bool[count];
    }

    /// <summary>K, the environments of the session.</summary>
    public int Count { get; }

    /// <summary>Values per observation (5), as the simulator describes itself.</summary>
    public int ObservationSize { get; }

    /// <summary>Values per action (1), as the simulator describes itself.</summary>
    public int ActionSize { get; }

    /// <summary>The simulator's step counter: steps taken in this session (each steps all K environments).</summary>
    public long Step { get; private set; }

    /// <summary>K × <see cref="ObservationSize"/> observations after the last reply, environment after environment.</summary>
    public ReadOnlySpan<float> Observations => _observations;

    /// <summary>The K rewards of the last step (zeros after a reset).</summary>
    public ReadOnlySpan<float> Rewards => _rewards;

    /// <summary>
    /// K flags: the environment's episode hit the time limit at the last step; the simulator has already started a new
    /// one, whose first observation is in <see cref="Observations"/>. All false after a reset.
    /// </summary>
    public ReadOnlySpan<bool> Truncated => _truncated;

    /// <summary>
    /// Opens a session on <paramref name="client"/>: asks the simulator to describe itself, opens a <c>Run</c> stream,
    /// sends a reset for <paramref name="count"/> environments seeded from <paramref name="baseSeed"/> and waits for
    /// the first observations. Each reply (and the description) must arrive within <paramref name="replyTimeout"/>.
    /// </summary>
    /// <exception cref="RpcException">The simulator refused, failed, or did not answer in time.</exception>
    public static async Task<SimulatorSession> OpenAsync(
        Simulator.SimulatorClient client, int count, int baseSeed, TimeSpan replyTimeout, CancellationToken cancellationToken) =>
        await OpenAsync(client, count, baseSeed, staggerEpisodes: false, replyTimeout, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(Simulator.SimulatorClient, int, int, TimeSpan, CancellationToken)"/>, with the first
    /// episodes staggered when <paramref name="staggerEpisodes"/> (<see cref="ResetCommand.StaggerEpisodes"/>).
    /// </summary>
    /// <exception cref="RpcException">The simulator refused, failed, or did not answer in time.</exception>
    public static async Task<SimulatorSession> OpenAsync(
        Simulator.SimulatorClient client, int count, int baseSeed, bool staggerEpisodes, TimeSpan replyTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replyTimeout, TimeSpan.Zero);

        var description = await client.DescribeAsync(
            new DescribeSimulatorRequest(), deadline: DateTime.UtcNow + replyTimeout, cancellationToken: cancellationToken);
        if (description.ObservationSize < 1 || description.ActionSize < 1)
        {
            throw Malformed($"the description gives observation size {description.ObservationSize} and action size {description.ActionSize}");
        }

        // The stream lives as long as the session: no deadline on it, one per reply instead.
        var session = new SimulatorSession(client.Run(cancellationToken: CancellationToken.None), count, description, replyTimeout);
        try
        {
            await session.ResetAsync(baseSeed, staggerEpisodes, cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The state the last step ended in for environment <paramref name="env"/> (the n-step bootstrap state): the
    /// observation its episode ended on if it was truncated, else its row of <see cref="Observations"/>.
    /// </summary>
    public ReadOnlySpan<float> NextStateOf(int env)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(env);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(env, Count);
        var source = _truncated[env] ? _finalObservations : _observations;
        return source.AsSpan(env * ObservationSize, ObservationSize);
    }

    /// <summary>
    /// Steps all K environments with <paramref name="actions"/> (K × <see cref="ActionSize"/>, environment after
    /// environment) and waits for the reply.
    /// </summary>
    /// <param name="actions">Finite actions; the environments clip them to the action space.</param>
    /// <param name="traceContext">The worker's rollout span (sent as W3C trace context); <c>default</c>: no trace.</param>
    /// <param name="endsRollout">This step is the rollout's last: the simulator closes its rollout span after it.</param>
    /// <param name="cancellationToken">Cancels the wait (and breaks the session).</param>
    /// <exception cref="ArgumentException">Wrong number of actions, or an action is not finite; nothing was sent.</exception>
    /// <exception cref="RpcException">The simulator refused, failed, or did not answer in time.</exception>
    public async Task StepAsync(ReadOnlyMemory<float> actions, ActivityContext traceContext, bool endsRollout, CancellationToken cancellationToken)
    {
        CheckActions(actions.Span);
        EnterCall();
        try
        {
            var step = _stepCommand.Step;
            step.Actions.Clear();
            step.Actions.AddRange(actions.Span);
            SetTraceContext(step, traceContext);
            step.EndsRollout = endsRollout;
            Accept(await ExchangeAsync(_stepCommand, cancellationToken), isStep: true);
        }
        finally
        {
            ExitCall();
        }
    }

    /// <summary>
    /// Resets all K environments, now seeded from <paramref name="baseSeed"/>, and waits for their first observations.
    /// </summary>
    /// <exception cref="RpcException">The simulator refused, failed, or did not answer in time.</exception>
    public Task ResetAsync(int baseSeed, CancellationToken cancellationToken) => ResetAsync(baseSeed, staggerEpisodes: false, cancellationToken);

    /// <summary>
    /// Resets all K environments, now seeded from <paramref name="baseSeed"/>, their first episodes staggered when
    /// <paramref name="staggerEpisodes"/>, and waits for their first observations.
    /// </summary>
    /// <exception cref="RpcException">The simulator refused, failed, or did not answer in time.</exception>
    public async Task ResetAsync(int baseSeed, bool staggerEpisodes, CancellationToken cancellationToken)
    {
        EnterCall();
        try
        {
            var command = new SimulatorCommand
            {
                Reset = new ResetCommand { Count = Count, BaseSeed = baseSeed, StaggerEpisodes = staggerEpisodes },
            };
            Accept(await ExchangeAsync(command, cancellationToken), isStep: false);
        }
        finally
        {
            ExitCall();
        }
    }

    /// <summary>
    /// Ends the session: completes the stream and waits (at most the reply timeout) for the simulator to close it, so
    /// its environments and rollout span end; a broken session's call is just cancelled.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_failure is null && Interlocked.Exchange(ref _busy, 1) == 0)
        {
            try
            {
                using var closing = new CancellationTokenSource(_replyTimeout);
                await _call.RequestStream.CompleteAsync();
                while (await _call.ResponseStream.MoveNext(closing.Token))
                {
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // The session is over either way; disposing the call below cancels whatever is left.
            }
        }

        _call.Dispose();
        _replyDeadline.Dispose();
    }

    private static RpcException Malformed(string problem) =>
        new(new Status(StatusCode.Internal, $"Malformed simulator reply: {problem}."));

    private static int CountTrue(ReadOnlySpan<bool> flags)
    {
        var count = 0;
        foreach (var flag in flags)
        {
            count += flag ? 1 : 0;
        }

        return count;
    }

    private void CheckActions(ReadOnlySpan<float> actions)
    {
        if (actions.Length != Count * ActionSize)
        {
            throw new ArgumentException(
                $"Expected {Count * ActionSize} actions (K = {Count} × {ActionSize}), got {actions.Length}.", nameof(actions));
        }

        for (var i = 0; i < actions.Length; i++)
        {
            if (!float.IsFinite(actions[i]))
            {
                throw new ArgumentException($"Action {i} is {actions[i]}; actions must be finite.", nameof(actions));
            }
        }
    }

    private void SetTraceContext(StepCommand step, ActivityContext traceContext)
    {
        if (traceContext == _traceContext)
        {
            return; // unchanged: the strings already in the reused command are right
        }

        _traceContext = traceContext;
        if (traceContext == default)
        {
            step.Traceparent = string.Empty;
            step.Tracestate = string.Empty;
            return;
        }

        var sampled = (traceContext.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        step.Traceparent = $"00-{traceContext.TraceId.ToHexString()}-{traceContext.SpanId.ToHexString()}-{sampled}";
        step.Tracestate = traceContext.TraceState ?? string.Empty;
    }

    /// <summary>Claims the session for one call: throws if it is disposed, broken (its failure's status) or busy.</summary>
    private void EnterCall()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
        {
            throw new RpcException(_failure.Status);
        }

        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("A simulator session serves one call at a time.");
        }
    }

    private void ExitCall() => Volatile.Write(ref _busy, 0);

    /// <summary>Sends one command and returns its reply, all within the reply timeout; any failure breaks the session.</summary>
    private async Task<SimulatorReply> ExchangeAsync(SimulatorCommand command, CancellationToken cancellationToken)
    {
        var deadline = ArmReplyDeadline();
        try
        {
            using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
            await _call.RequestStream.WriteAsync(command, deadline.Token);
            if (!await _call.ResponseStream.MoveNext(deadline.Token))
            {
                throw Fail(new RpcException(new Status(StatusCode.Unavailable, "The simulator ended the session without a reply.")));
            }

            return _call.ResponseStream.Current;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or IOException or InvalidOperationException)
        {
            if (_failure is not null && ReferenceEquals(e, _failure))
            {
                throw;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                Fail(new RpcException(new Status(StatusCode.Cancelled, "A call of this session was cancelled.")));
                throw new OperationCanceledException("The simulator call was cancelled.", e, cancellationToken);
            }

            if (deadline.IsCancellationRequested)
            {
                throw Fail(new RpcException(new Status(
                    StatusCode.DeadlineExceeded, $"The simulator sent no reply within {_replyTimeout.TotalSeconds:0.###} s.", e)));
            }

            throw Fail(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, $"The simulator session broke: {e.Message}", e)));
        }
    }

    /// <summary>The reused token source of the reply deadline, reset and armed for one exchange.</summary>
    private CancellationTokenSource ArmReplyDeadline()
    {
        if (!_replyDeadline.TryReset())
        {
            _replyDeadline.Dispose();
            _replyDeadline = new CancellationTokenSource();
        }

        _replyDeadline.CancelAfter(_replyTimeout);
        return _replyDeadline;
    }

    /// <summary>Records the session's failure and cancels the call; returns the exception to throw.</summary>
    private RpcException Fail(RpcException failure)
    {
        _failure ??= failure;
        _call.Dispose();
        return failure;
    }

    /// <summary>Checks a reply's sizes and step counter against the session, then copies it out.</summary>
    private void Accept(SimulatorReply reply, bool isStep)
    {
        var perEnvironment = isStep ? Count : 0;
        var truncatedCount = isStep && reply.Truncated.Count == Count ? CountTrue(UnsafeCollectionOperations.AsSpan(reply.Truncated)) : 0;
        var expectedStep = isStep ? Step + 1 : Step;
        var problem =
            reply.Observations.Count != _observations.Length ? $"{reply.Observations.Count} observation values, expected {_observations.Length} (K = {Count} × {ObservationSize})"
            : reply.Rewards.Count != perEnvironment ? $"{reply.Rewards.Count} rewards, expected {perEnvironment}"
            : reply.Truncated.Count != perEnvironment ? $"{reply.Truncated.Count} truncation flags, expected {perEnvironment}"
            : reply.FinalObservations.Count != truncatedCount * ObservationSize ? $"{reply.FinalObservations.Count} final observation values for {truncatedCount} truncated environments, expected {truncatedCount * ObservationSize}"
            : reply.Step != expectedStep ? $"step counter {reply.Step}, expected {expectedStep}"
            : null;
        if (problem is not null)
        {
            throw Fail(Malformed(problem));
        }

        Step = reply.Step;
        reply.Observations.CopyTo(_observations, 0);
        if (!isStep)
        {
            Array.Clear(_rewards);
            Array.Clear(_truncated);
            return;
        }

        reply.Rewards.CopyTo(_rewards, 0);
        reply.Truncated.CopyTo(_truncated, 0);
        var finals = UnsafeCollectionOperations.AsSpan(reply.FinalObservations);
        for (int env = 0, next = 0; env < Count; env++)
        {
            if (_truncated[env])
            {
                finals.Slice(next, ObservationSize).CopyTo(_finalObservations.AsSpan(env * ObservationSize));
                next += ObservationSize;
            }
        }
    }
}

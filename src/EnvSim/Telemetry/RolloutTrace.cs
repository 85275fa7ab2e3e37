using System.Diagnostics;
using A3cGrpc.Contracts.V1;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.EnvSim.Telemetry;

/// <summary>
/// One session's rollout span (<see cref="A3cTelemetry.SimulatorRolloutSpan"/>): opened on a step that carries a W3C
/// <c>traceparent</c> when no rollout is open or the open one has another parent, continued by the steps that follow,
/// and ended after the reply to a step with <c>ends_rollout</c> or when the session ends. No span per physics step.
/// </summary>
/// <param name="source">The simulator's activity source.</param>
public sealed class RolloutTrace(ActivitySource source) : IDisposable
{
    private string? _traceparent;
    private Activity? _span;
    private long _environmentSteps;

    /// <summary>Whether a rollout (with a valid parent context) is open; its span may be null if nobody listens.</summary>
    public bool IsOpen => _traceparent is not null;

    /// <summary>Called before a step is handled: opens a rollout for the step's trace context if it starts a new one.</summary>
    /// <param name="step">The step command, with its optional trace context.</param>
    /// <param name="environments">K, recorded on a new span.</param>
    public void BeforeStep(StepCommand step, int environments)
    {
        ArgumentNullException.ThrowIfNull(step);
        var traceparent = step.Traceparent;
        if (traceparent.Length == 0 || string.Equals(traceparent, _traceparent, StringComparison.Ordinal))
        {
            return;
        }

        End();
        var traceState = step.Tracestate.Length == 0 ? null : step.Tracestate;
        if (!ActivityContext.TryParse(traceparent, traceState, isRemote: true, out var parent))
        {
            return;
        }

        _traceparent = traceparent;
        _span = source.StartActivity(A3cTelemetry.SimulatorRolloutSpan, ActivityKind.Server, parent);
        _span?.SetTag(A3cTelemetry.Attributes.Environments, environments);
    }

    /// <summary>Called after a step succeeded: counts its K environment steps in the open rollout.</summary>
    public void StepTaken(int environments)
    {
        if (IsOpen)
        {
            _environmentSteps += environments;
        }
    }

    /// <summary>Marks the open rollout's span as failed (the session ends with this error).</summary>
    public void Fail(string description) => _span?.SetStatus(ActivityStatusCode.Error, description);

    /// <summary>Ends the open rollout, if any, recording its environment steps.</summary>
    public void End()
    {
        if (_span is not null)
        {
            _span.SetTag(A3cTelemetry.Attributes.EnvironmentSteps, _environmentSteps);
            _span.Dispose();
        }

        _span = null;
        _traceparent = null;
        _environmentSteps = 0;
    }

    /// <inheritdoc />
    public void Dispose() => End();
}

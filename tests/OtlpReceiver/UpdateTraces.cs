using System.Globalization;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.OtlpReceiver;

/// <summary>
/// What a complete trace of one n-step update looks like (the contract), checked on received spans: the
/// worker's root span with its attributes; rollout, backward and push under it, and a pull exactly when the root says
/// it pulled (an update that starts from its last push's reply does not); the simulator's rollout under the worker's
/// rollout; the parameter server's apply under the push, with the same new version.
/// </summary>
public static class UpdateTraces
{
    private static readonly string[] _expectedSpans =
    [
        A3cTelemetry.RolloutSpan, A3cTelemetry.BackwardSpan, A3cTelemetry.PushSpan, A3cTelemetry.SimulatorRolloutSpan, A3cTelemetry.ApplyGradientsSpan,
    ];

    private static readonly string[] _rootAttributes =
    [
        A3cTelemetry.Attributes.NSteps, A3cTelemetry.Attributes.BaseVersion, A3cTelemetry.Attributes.RewardSum,
        A3cTelemetry.Attributes.Staleness, A3cTelemetry.Attributes.NewVersion, A3cTelemetry.Attributes.Pulled,
    ];

    /// <summary>What is missing or wrong in the trace of <paramref name="workerId"/>'s update <paramref name="number"/>; null when it is complete.</summary>
    public static string? Problem(IReadOnlyList<ReceivedSpan> spans, string workerId, int number)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var what = $"{workerId} update {number}";
        var root = spans.FirstOrDefault(s =>
            s.Name == A3cTelemetry.UpdateSpan
            && s.Attributes.GetValueOrDefault(A3cTelemetry.Attributes.WorkerId) == workerId
            && s.Attributes.GetValueOrDefault(A3cTelemetry.Attributes.UpdateNumber) == number.ToString(CultureInfo.InvariantCulture));
        if (root is null)
        {
            return $"{what}: no root span";
        }

        if (root.ParentSpanId is not null || root.ServiceName != "a3c-worker")
        {
            return $"{what}: the update span is not a root span of a3c-worker";
        }

        if (_rootAttributes.FirstOrDefault(key => !root.Attributes.ContainsKey(key)) is { } missingAttribute)
        {
            return $"{what}: the root lacks {missingAttribute}";
        }

        var trace = spans.Where(s => s.TraceId == root.TraceId).ToList();
        if (_expectedSpans.FirstOrDefault(name => trace.Count(s => s.Name == name) != 1) is { } missingSpan)
        {
            return $"{what}: {trace.Count(s => s.Name == missingSpan)} '{missingSpan}' spans in its trace";
        }

        var pulls = trace.Count(s => s.Name == A3cTelemetry.PullSpan && s.ParentSpanId == root.SpanId);
        if (pulls != (root.Attributes[A3cTelemetry.Attributes.Pulled] == "true" ? 1 : 0))
        {
            return $"{what}: {pulls} '{A3cTelemetry.PullSpan}' spans under a root with {A3cTelemetry.Attributes.Pulled} = {root.Attributes[A3cTelemetry.Attributes.Pulled]}";
        }

        var push = trace.Single(s => s.Name == A3cTelemetry.PushSpan);
        var apply = trace.Single(s => s.Name == A3cTelemetry.ApplyGradientsSpan);
        var simulator = trace.Single(s => s.Name == A3cTelemetry.SimulatorRolloutSpan);
        var rollout = trace.Single(s => s.Name == A3cTelemetry.RolloutSpan);

        // The spans between the push and the apply (the client call, the server request) end last: a gap here can
        // also mean they have not arrived yet.
        if (!DescendsFrom(trace, apply, push))
        {
            return $"{what}: the server's apply is not under the worker's push";
        }

        if (apply.ServiceName != "a3c-parameter-server"
            || apply.Attributes.GetValueOrDefault(A3cTelemetry.Attributes.NewVersion) != root.Attributes[A3cTelemetry.Attributes.NewVersion])
        {
            return $"{what}: the apply span is not the parameter server's, with the root's new version";
        }

        return simulator.ServiceName == "a3c-envsim" && simulator.ParentSpanId == rollout.SpanId
            ? null
            : $"{what}: the simulator's rollout is not EnvSim's child of the worker's rollout";
    }

    /// <summary>The first problem among updates <paramref name="first"/>..<paramref name="last"/> of each worker; null when every trace is complete.</summary>
    public static string? WindowProblem(IReadOnlyList<ReceivedSpan> spans, IEnumerable<string> workerIds, int first, int last) =>
        (from workerId in workerIds
         from number in Enumerable.Range(first, last - first + 1)
         select Problem(spans, workerId, number)).FirstOrDefault(problem => problem is not null);

    private static bool DescendsFrom(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span, ReceivedSpan ancestor)
    {
        var bySpanId = trace.ToDictionary(s => s.SpanId);
        for (var current = span; current.ParentSpanId is { } parent && bySpanId.TryGetValue(parent, out var next); current = next)
        {
            if (next.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}

namespace A3cGrpc.Experiments.Evaluation;

/// <summary>
/// Keeps evaluations within <see cref="EvaluationOptions.MaxShare"/> of wall-clock time: after an evaluation that started
/// at t and took d seconds, the next is not due before t + d / MaxShare. Times are seconds on the caller's clock.
/// Not thread-safe.
/// </summary>
public sealed class EvaluationPacing
{
    private readonly double _maxShare;
    private double _notBefore = double.NegativeInfinity;

    /// <summary>Pacing for <paramref name="options"/>' share.</summary>
    public EvaluationPacing(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _maxShare = options.MaxShare;
    }

    /// <summary>Records an evaluation that started at <paramref name="startedAt"/> and took <paramref name="duration"/> seconds.</summary>
    public void Evaluated(double startedAt, double duration) => _notBefore = startedAt + (Math.Max(duration, 0) / _maxShare);

    /// <summary>Seconds to wait from <paramref name="now"/> before the next evaluation may start (0: it may start now).</summary>
    public double WaitSeconds(double now) => Math.Max(0, _notBefore - now);
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using A3cGrpc.ServiceDefaults.Telemetry;

namespace A3cGrpc.ParameterServer.Telemetry;

/// <summary>The parameter server's instruments on meter <see cref="A3cTelemetry.MeterName"/> (names in <see cref="A3cTelemetry.Metrics"/>).</summary>
public sealed class ServerMetrics
{
    private readonly Counter<long> _updates;
    private readonly Counter<long> _environmentSteps;
    private readonly Histogram<long> _staleness;
    private readonly Histogram<double> _episodeReturns;
    private double _evaluationMean = double.NaN;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (owned by the host).</summary>
    public ServerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(A3cTelemetry.MeterName);
        _updates = meter.CreateCounter<long>(A3cTelemetry.Metrics.Updates, "{update}", "Gradient pushes applied (optimiser steps).");
        _environmentSteps = meter.CreateCounter<long>(
            A3cTelemetry.Metrics.EnvironmentSteps, "{step}", "Environment steps reported by applied pushes.");
        _staleness = meter.CreateHistogram<long>(
            A3cTelemetry.Metrics.Staleness, "{version}", "Versions applied between a push's base version and the push.");
        _episodeReturns = meter.CreateHistogram<double>(
            A3cTelemetry.Metrics.EpisodeReturn, null, "Returns of training episodes reported by applied pushes.");
        meter.CreateObservableGauge(
            A3cTelemetry.Metrics.EvaluationMean,
            ObserveEvaluationMean,
            null,
            "Mean return of the latest evaluation (mean action, full episodes).");
    }

    /// <summary>Records an applied push.</summary>
    public void PushApplied(long environmentSteps, long staleness, IReadOnlyList<double> episodeReturns)
    {
        ArgumentNullException.ThrowIfNull(episodeReturns);
        _updates.Add(1);
        _environmentSteps.Add(environmentSteps);
        _staleness.Record(staleness);
        foreach (var value in episodeReturns)
        {
            _episodeReturns.Record(value);
        }
    }

    /// <summary>Records an evaluation's mean return.</summary>
    public void Evaluated(double meanReturn) => Volatile.Write(ref _evaluationMean, meanReturn);

    private IEnumerable<Measurement<double>> ObserveEvaluationMean()
    {
        var mean = Volatile.Read(ref _evaluationMean);
        return double.IsNaN(mean) ? [] : [new Measurement<double>(mean)];
    }
}

/// <summary>The parameter server's activity source (<see cref="A3cTelemetry.ServerSourceName"/>).</summary>
public static class ServerTracing
{
    /// <summary>Where the server's spans start.</summary>
    public static readonly ActivitySource Source = new(A3cTelemetry.ServerSourceName);
}

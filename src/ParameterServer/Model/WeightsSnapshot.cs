using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using ObservationStatistics = A3cGrpc.Learning.ObservationStatistics;

namespace A3cGrpc.ParameterServer.Model;

/// <summary>
/// An immutable copy of the global weights of one version, taken under the training lock, with the counters of that
/// version. Its wire form is encoded at most once per encoding, however many pulls ask for it at once.
/// </summary>
public sealed class WeightsSnapshot
{
    private readonly Lazy<TensorSet> _float32;
    private readonly Lazy<TensorSet> _float16;
    private readonly Lazy<Contracts.V1.ObservationStatistics?> _statistics;

    /// <summary>Wraps <paramref name="weights"/>, which nobody may change afterwards, with the version's observation statistics.</summary>
    public WeightsSnapshot(ModelTotals totals, NamedTensors weights, ObservationStatistics? observationStatistics = null)
    {
        ArgumentNullException.ThrowIfNull(totals);
        ArgumentNullException.ThrowIfNull(weights);
        Totals = totals;
        Weights = weights;
        ObservationStatistics = observationStatistics;
        _float32 = new(() => TensorWire.Encode(weights, totals.Version, TensorEncoding.Float32), LazyThreadSafetyMode.ExecutionAndPublication);
        _statistics = new(() => observationStatistics is null ? null : StatisticsWire.ToProto(observationStatistics), LazyThreadSafetyMode.ExecutionAndPublication);
        _float16 = new(() => TensorWire.Encode(weights, totals.Version, TensorEncoding.Float16), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The model version these weights are.</summary>
    public long Version => Totals.Version;

    /// <summary>The counters when this version was current.</summary>
    public ModelTotals Totals { get; }

    /// <summary>The weights by name (read only).</summary>
    public NamedTensors Weights { get; }

    /// <summary>The statistics this version normalises observations with (null when the model does not normalise).</summary>
    public ObservationStatistics? ObservationStatistics { get; }

    /// <summary>The observation statistics on the wire, or null (shared: do not modify the message).</summary>
    public Contracts.V1.ObservationStatistics? EncodedStatistics => _statistics.Value;

    /// <summary>The weights on the wire in <paramref name="encoding"/> (shared: do not modify the message).</summary>
    /// <exception cref="WireFormatException">An encoding this build does not know.</exception>
    public TensorSet Encoded(TensorEncoding encoding) => encoding switch
    {
        TensorEncoding.Float32 => _float32.Value,
        TensorEncoding.Float16 => _float16.Value,
        _ => throw new WireFormatException($"Unknown tensor encoding {(int)encoding}."),
    };
}

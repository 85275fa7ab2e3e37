using A3cGrpc.Learning;

namespace A3cGrpc.Distributed.Wire;

/// <summary>Observation statistics on the wire (<c>a3c.v1.ObservationStatistics</c>).</summary>
public static class StatisticsWire
{
    /// <summary>The wire form of <paramref name="statistics"/>.</summary>
    public static Contracts.V1.ObservationStatistics ToProto(ObservationStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var proto = new Contracts.V1.ObservationStatistics { Count = statistics.Count };
        proto.Mean.AddRange(statistics.Mean.ToArray());
        proto.M2.AddRange(statistics.M2.ToArray());
        return proto;
    }

    /// <summary>The statistics <paramref name="proto"/> holds, checked against the observation width.</summary>
    /// <param name="proto">The message.</param>
    /// <param name="observationSize">The model's observation width.</param>
    /// <param name="field">The field's name, for the error message.</param>
    /// <exception cref="WireFormatException">Missing, of another width, or not usable (a negative count or M2, a non-finite value).</exception>
    public static ObservationStatistics FromProto(Contracts.V1.ObservationStatistics? proto, int observationSize, string field)
    {
        if (proto is null)
        {
            throw new WireFormatException($"{field} is missing: the model normalises observations.");
        }

        if (proto.Mean.Count != observationSize || proto.M2.Count != observationSize)
        {
            throw new WireFormatException(
                $"{field} must hold {observationSize} means and {observationSize} M2 values; it holds {proto.Mean.Count} and {proto.M2.Count}.");
        }

        try
        {
            return new ObservationStatistics(proto.Count, [.. proto.Mean], [.. proto.M2]);
        }
        catch (ArgumentException exception)
        {
            throw new WireFormatException($"{field}: {exception.Message}");
        }
    }
}

using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;

namespace A3cGrpc.Distributed.Tests;

public sealed class StatisticsWireTests
{
    [Fact]
    public void ToProtoFromProto_RoundTrip_KeepsEveryValueExactly()
    {
        var statistics = ObservationStatistics.FromRows([0.1f, 2f, -3f, 0.7f, 5f, 1e-3f], 3);

        var back = StatisticsWire.FromProto(StatisticsWire.ToProto(statistics), 3, "observed");

        Assert.Equal(statistics.Count, back.Count);
        Assert.Equal(statistics.Mean.ToArray(), back.Mean.ToArray());
        Assert.Equal(statistics.M2.ToArray(), back.M2.ToArray());
    }

    [Fact]
    public void FromProto_Missing_ThrowsNamingTheField()
    {
        var error = Assert.Throws<WireFormatException>(() => StatisticsWire.FromProto(null, 5, "observed"));

        Assert.Contains("observed is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromProto_OtherWidth_ThrowsSayingTheSizes()
    {
        var proto = StatisticsWire.ToProto(ObservationStatistics.Empty(3));

        var error = Assert.Throws<WireFormatException>(() => StatisticsWire.FromProto(proto, 5, "observed"));

        Assert.Contains("5 means", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromProto_NegativeM2_ThrowsNamingTheField()
    {
        var proto = StatisticsWire.ToProto(ObservationStatistics.FromRows([1f, 2f], 1));
        proto.M2[0] = -1;

        var error = Assert.Throws<WireFormatException>(() => StatisticsWire.FromProto(proto, 1, "observed"));

        Assert.StartsWith("observed:", error.Message, StringComparison.Ordinal);
    }
}

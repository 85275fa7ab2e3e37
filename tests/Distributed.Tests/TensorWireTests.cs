using A3cGrpc.Contracts.V1;
using A3cGrpc.Distributed.Wire;
using A3cGrpc.Learning;
using Google.Protobuf;
using NamedTensor = A3cGrpc.Learning.NamedTensor;

namespace A3cGrpc.Distributed.Tests;

public sealed class TensorWireTests
{
    private static NamedTensors Layout() => new(
    [
        new NamedTensor("w", [2, 3], [1.5f, -2f, 3.25f, 0f, 1e-8f, -7f]),
        new NamedTensor("b", [2], [0.5f, -0.5f]),
    ]);

    private static NamedTensors Zeros() => new(
    [
        new NamedTensor("w", [2, 3], new float[6]),
        new NamedTensor("b", [2], new float[2]),
    ]);

    [Fact]
    public void Float32_RoundTrip_IsBitIdentical()
    {
        var source = Layout();
        var set = TensorWire.Encode(source, 7);
        var parsed = TensorSet.Parser.ParseFrom(set.ToByteArray());
        var destination = Zeros();

        TensorWire.DecodeInto(parsed, destination, "parameters");

        Assert.Equal(7, parsed.Version);
        Assert.Equal(24, parsed.Tensors[0].Data.Length);
        Assert.Equal(source["w"].Data, destination["w"].Data);
        Assert.Equal(source["b"].Data, destination["b"].Data);
    }

    [Fact]
    public void Float16_RoundTrip_HalvesTheBytesAndRoundsToHalfPrecision()
    {
        var source = Layout();
        var set = TensorWire.Encode(source, 1, TensorEncoding.Float16);
        var destination = Zeros();

        TensorWire.DecodeInto(set, destination, "gradients");

        Assert.Equal(12, set.Tensors[0].Data.Length);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal((float)(Half)source["w"].Data[i], destination["w"].Data[i]);
        }
    }

    [Theory]
    [InlineData("unknown", "unknown tensor 'x'")]
    [InlineData("missing", "lack tensor(s) b")]
    [InlineData("duplicate", "more than once")]
    [InlineData("shape", "has shape [3, 2]")]
    [InlineData("bytes", "needs 24")]
    [InlineData("nan", "non-finite value")]
    [InlineData("infinity", "non-finite value")]
    [InlineData("empty", "hold no tensors")]
    [InlineData("encoding", "unknown encoding 9")]
    public void BadSet_ThrowsNamingTheProblem_AndWritesNothing(string fault, string message)
    {
        var set = TensorWire.Encode(Layout(), 1);
        switch (fault)
        {
            case "unknown":
                set.Tensors[1].Name = "x";
                break;
            case "missing":
                set.Tensors.RemoveAt(1);
                break;
            case "duplicate":
                set.Tensors.Add(set.Tensors[0].Clone());
                break;
            case "shape":
                set.Tensors[0].Shape.Clear();
                set.Tensors[0].Shape.Add([3, 2]);
                break;
            case "bytes":
                set.Tensors[0].Data = ByteString.CopyFrom(new byte[20]);
                break;
            case "nan":
                set = TensorWire.Encode(new NamedTensors([new NamedTensor("w", [2, 3], [1, 2, 3, 4, 5, float.NaN]), Layout()["b"]]), 1);
                break;
            case "infinity":
                set = TensorWire.Encode(new NamedTensors([Layout()["w"], new NamedTensor("b", [2], [1, float.NegativeInfinity])]), 1);
                break;
            case "empty":
                set.Tensors.Clear();
                break;
            case "encoding":
                set.Tensors[0].Encoding = (TensorEncoding)9;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault));
        }

        var destination = Zeros();
        var error = Assert.Throws<WireFormatException>(() => TensorWire.DecodeInto(set, destination, "gradients"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.All(destination, t => Assert.All(t.Data, v => Assert.Equal(0f, v)));
    }

    [Theory]
    [InlineData(0, -1)]
    [InlineData(7, 7)]
    [InlineData(33, 32)]
    [InlineData(100, 64)]
    public void IndexOfNonFinite_FindsTheFirstBadValue_InVectorAndTailParts(int length, int bad)
    {
        var values = Enumerable.Range(0, length).Select(i => (float)i).ToArray();
        if (bad >= 0 && bad < length)
        {
            values[bad] = float.PositiveInfinity;
        }

        Assert.Equal(bad < length ? bad : -1, NamedTensors.IndexOfNonFinite(values));
    }

    [Theory]
    [InlineData(0, -1)]
    [InlineData(7, 7)]
    [InlineData(33, 32)]
    [InlineData(100, 64)]
    [InlineData(100, 99)]
    public void IndexOfNonFinite_Half_FindsTheFirstBadValue_InVectorAndTailParts(int length, int bad)
    {
        foreach (var nonFinite in new[] { Half.PositiveInfinity, Half.NegativeInfinity, Half.NaN })
        {
            var values = Enumerable.Range(0, length).Select(i => i % 2 == 0 ? Half.MaxValue : Half.MinValue).ToArray();
            if (bad >= 0 && bad < length)
            {
                values[bad] = nonFinite;
            }

            Assert.Equal(bad < length ? bad : -1, NamedTensors.IndexOfNonFinite(values));
        }
    }

    [Theory]
    [InlineData(TensorEncoding.Float32)]
    [InlineData(TensorEncoding.Float16)]
    public void DecodeInto_BytesAtAnOddOffset_DecodesStraightFromThem(TensorEncoding encoding)
    {
        // The wire bytes need not be aligned for their values: decoding reads them where they lie.
        var source = Layout();
        var encoded = TensorWire.Encode(source, 3, encoding);
        foreach (var tensor in encoded.Tensors)
        {
            var shifted = new byte[tensor.Data.Length + 1];
            tensor.Data.CopyTo(shifted, 1);
            tensor.Data = UnsafeByteOperations.UnsafeWrap(shifted.AsMemory(1));
        }

        var destination = Zeros();
        TensorWire.DecodeInto(encoded, destination, "parameters");

        var expected = encoding == TensorEncoding.Float16 ? source["w"].Data.Select(v => (float)(Half)v) : source["w"].Data;
        Assert.Equal(expected, destination["w"].Data);
    }

    [Fact]
    public void DecodeInto_Float16Infinity_IsRefusedAndChangesNothing()
    {
        var set = TensorWire.Encode(Layout(), 1, TensorEncoding.Float16);
        var bytes = set.Tensors[1].Data.ToByteArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(2), BitConverter.HalfToUInt16Bits(Half.NegativeInfinity));
        set.Tensors[1].Data = ByteString.CopyFrom(bytes);
        var destination = Zeros();

        var error = Assert.Throws<WireFormatException>(() => TensorWire.DecodeInto(set, destination, "gradients"));

        Assert.Contains("tensor 'b' holds a non-finite value (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"({float.NegativeInfinity}) at flat index 1.", error.Message, StringComparison.Ordinal);
        Assert.All(destination, t => Assert.All(t.Data, v => Assert.Equal(0f, v)));
    }
}

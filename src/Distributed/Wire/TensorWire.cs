using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using A3cGrpc.Contracts.V1;
using A3cGrpc.Learning;
using Google.Protobuf;
using NamedTensor = A3cGrpc.Learning.NamedTensor;
using WireTensor = A3cGrpc.Contracts.V1.NamedTensor;

namespace A3cGrpc.Distributed.Wire;

/// <summary>
/// Converts the learning core's <see cref="NamedTensors"/> to and from the wire's <see cref="TensorSet"/>
/// (tensors.proto): little-endian float32 or float16 bytes, one copy each way (values are checked on the wire bytes and
/// decoded straight into the destination). Decoding checks everything against
/// the receiver's own layout before anything is written, so a bad message changes nothing.
/// </summary>
public static class TensorWire
{
    /// <summary>Bytes per value in <paramref name="encoding"/>.</summary>
    /// <exception cref="WireFormatException">An encoding this build does not know.</exception>
    public static int BytesPerValue(TensorEncoding encoding) => encoding switch
    {
        TensorEncoding.Float32 => sizeof(float),
        TensorEncoding.Float16 => 2,
        _ => throw new WireFormatException($"Unknown tensor encoding {(int)encoding}."),
    };

    /// <summary>The wire size of <paramref name="tensors"/>' values in <paramref name="encoding"/>, in bytes.</summary>
    public static long PayloadBytes(NamedTensors tensors, TensorEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return tensors.ElementCount * BytesPerValue(encoding);
    }

    /// <summary>Encodes <paramref name="tensors"/> as <paramref name="version"/> in <paramref name="encoding"/>.</summary>
    public static TensorSet Encode(NamedTensors tensors, long version, TensorEncoding encoding = TensorEncoding.Float32)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        EnsureLittleEndian();
        var bytesPerValue = BytesPerValue(encoding);
        var set = new TensorSet { Version = version };
        foreach (var tensor in tensors)
        {
            var bytes = new byte[tensor.Data.Length * bytesPerValue];
            if (encoding == TensorEncoding.Float16)
            {
                TensorPrimitives.ConvertToHalf(tensor.Data, MemoryMarshal.Cast<byte, Half>(bytes.AsSpan()));
            }
            else
            {
                MemoryMarshal.AsBytes(tensor.Data.AsSpan()).CopyTo(bytes);
            }

            var wire = new WireTensor
            {
                Name = tensor.Name,
                Data = UnsafeByteOperations.UnsafeWrap(bytes),
                Encoding = encoding,
            };
            wire.Shape.AddRange(tensor.Shape);
            set.Tensors.Add(wire);
        }

        return set;
    }

    /// <summary>
    /// Decodes <paramref name="set"/> into <paramref name="destination"/>'s arrays, which also give the expected
    /// names and shapes. Every tensor must appear exactly once with its shape, a known encoding, the right byte
    /// length and finite values. All checks run before the first value is written.
    /// </summary>
    /// <param name="set">The received tensors.</param>
    /// <param name="destination">Buffers with the receiver's layout (for example the model's gradient buffers).</param>
    /// <param name="what">What the tensors are ("gradients", "parameters"), for messages.</param>
    /// <exception cref="WireFormatException">The set does not fit the layout or holds a non-finite value.</exception>
    public static void DecodeInto(TensorSet set, NamedTensors destination, string what)
    {
        ArgumentNullException.ThrowIfNull(destination);
        EnsureLittleEndian();
        if (set is null || set.Tensors.Count == 0)
        {
            throw new WireFormatException($"The {what} hold no tensors; expected {destination.Count} ({string.Join(", ", destination.Select(t => t.Name))}).");
        }

        var matched = new WireTensor[destination.Count];
        var indexByName = new Dictionary<string, int>(destination.Count, StringComparer.Ordinal);
        for (var i = 0; i < destination.Count; i++)
        {
            indexByName[destination[i].Name] = i;
        }

        foreach (var wire in set.Tensors)
        {
            if (!indexByName.TryGetValue(wire.Name, out var index))
            {
                throw new WireFormatException($"The {what} hold an unknown tensor '{wire.Name}'; the model's tensors are {string.Join(", ", destination.Select(t => t.Name))}.");
            }

            if (matched[index] is not null)
            {
                throw new WireFormatException($"The {what} hold tensor '{wire.Name}' more than once.");
            }

            Check(wire, destination[index], what);
            matched[index] = wire;
        }

        var missing = destination.Where((_, i) => matched[i] is null).Select(t => t.Name).ToArray();
        if (missing.Length > 0)
        {
            throw new WireFormatException($"The {what} lack tensor(s) {string.Join(", ", missing)}.");
        }

        // Check every value on the wire first, so the destination changes only when all is well; then decode each tensor
        // straight into its destination array (one pass over the bytes, no scratch copy).
        for (var i = 0; i < destination.Count; i++)
        {
            var bytes = matched[i].Data.Span;
            var float16 = matched[i].Encoding == TensorEncoding.Float16;
            var bad = float16 ? NamedTensors.IndexOfNonFinite(MemoryMarshal.Cast<byte, Half>(bytes)) : NamedTensors.IndexOfNonFinite(MemoryMarshal.Cast<byte, float>(bytes));
            if (bad >= 0)
            {
                var value = float16 ? (float)MemoryMarshal.Cast<byte, Half>(bytes)[bad] : MemoryMarshal.Cast<byte, float>(bytes)[bad];
                throw new WireFormatException($"The {what} tensor '{destination[i].Name}' holds a non-finite value ({value}) at flat index {bad}.");
            }
        }

        for (var i = 0; i < destination.Count; i++)
        {
            var bytes = matched[i].Data.Span;
            if (matched[i].Encoding == TensorEncoding.Float16)
            {
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes), destination[i].Data);
            }
            else
            {
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination[i].Data);
            }
        }
    }

    private static void Check(WireTensor wire, NamedTensor expected, string what)
    {
        if (!wire.Shape.SequenceEqual(expected.Shape))
        {
            throw new WireFormatException(
                $"The {what} tensor '{wire.Name}' has shape [{string.Join(", ", wire.Shape)}]; the model's is [{string.Join(", ", expected.Shape)}].");
        }

        if (wire.Encoding is not (TensorEncoding.Float32 or TensorEncoding.Float16))
        {
            throw new WireFormatException($"The {what} tensor '{wire.Name}' has unknown encoding {(int)wire.Encoding}.");
        }

        var expectedBytes = (long)expected.Data.Length * BytesPerValue(wire.Encoding);
        if (wire.Data.Length != expectedBytes)
        {
            throw new WireFormatException(
                $"The {what} tensor '{wire.Name}' has {wire.Data.Length} bytes of data; shape [{string.Join(", ", expected.Shape)}] in {wire.Encoding} needs {expectedBytes}.");
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The tensor wire format is little-endian; this platform is big-endian.");
        }
    }
}

using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>
/// Copies between .NET spans and CPU tensors through the tensor's own storage (no intermediate arrays).
/// Float32 contiguous tensors take the direct path; other types go through a converted temporary.
/// </summary>
internal static class TensorData
{
    /// <summary>A new tensor of <paramref name="shape"/> and <paramref name="dtype"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, long[] shape, ScalarType dtype)
    {
        var tensor = empty(shape, ScalarType.Float32);
        data.CopyTo(MemoryMarshal.Cast<byte, float>(tensor.bytes));
        return Convert(tensor, dtype);
    }

    /// <summary>A new tensor of <paramref name="shape"/> and <paramref name="dtype"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<double> data, long[] shape, ScalarType dtype)
    {
        var tensor = empty(shape, ScalarType.Float64);
        data.CopyTo(MemoryMarshal.Cast<byte, double>(tensor.bytes));
        return Convert(tensor, dtype);
    }

    /// <summary>Copies every element of <paramref name="tensor"/> (row-major) into <paramref name="destination"/>.</summary>
    public static void CopyTo(Tensor tensor, Span<float> destination)
    {
        if (tensor.dtype == ScalarType.Float32 && tensor.is_contiguous())
        {
            MemoryMarshal.Cast<byte, float>(tensor.bytes).CopyTo(destination);
            return;
        }

        using var scope = NewDisposeScope();
        var converted = tensor.detach().to_type(ScalarType.Float32).contiguous();
        MemoryMarshal.Cast<byte, float>(converted.bytes).CopyTo(destination);
    }

    /// <summary>Copies every element of <paramref name="tensor"/> (row-major) into <paramref name="destination"/>.</summary>
    public static void CopyTo(Tensor tensor, Span<double> destination)
    {
        if (tensor.dtype == ScalarType.Float64 && tensor.is_contiguous())
        {
            MemoryMarshal.Cast<byte, double>(tensor.bytes).CopyTo(destination);
            return;
        }

        using var scope = NewDisposeScope();
        var converted = tensor.detach().to_type(ScalarType.Float64).contiguous();
        MemoryMarshal.Cast<byte, double>(converted.bytes).CopyTo(destination);
    }

    /// <summary>Overwrites the elements of <paramref name="tensor"/> in place with <paramref name="source"/> (no autograd record).</summary>
    public static void CopyFrom(Tensor tensor, ReadOnlySpan<float> source)
    {
        if (tensor.dtype == ScalarType.Float32 && tensor.is_contiguous())
        {
            source.CopyTo(MemoryMarshal.Cast<byte, float>(tensor.bytes));
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        tensor.copy_(FromSpan(source, tensor.shape, tensor.dtype));
    }

    /// <summary>The single element of <paramref name="tensor"/> as a double.</summary>
    public static double Scalar(Tensor tensor) =>
        tensor.dtype == ScalarType.Float64 ? tensor.item<double>() : tensor.item<float>();

    private static Tensor Convert(Tensor tensor, ScalarType dtype)
    {
        if (tensor.dtype == dtype)
        {
            return tensor;
        }

        using (tensor)
        {
            return tensor.to_type(dtype);
        }
    }
}

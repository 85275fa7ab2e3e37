using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>
/// Copies between .NET spans and CPU tensors through the tensor's own storage (no intermediate arrays).
/// Float32 contiguous tensors take the direct path; other types go through a converted temporary.
/// </summary>
internal static class TensorData
{
    /// <summary>A new tensor of <paramref name="dtype"/> holding <paramref name="data"/> (float32 or float64) in <paramref name="shape"/>.</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, long[] shape, ScalarType dtype)
        where T : unmanaged
    {
        var tensor = empty(shape, ElementType<T>());
        data.CopyTo(MemoryMarshal.Cast<byte, T>(tensor.bytes));
        return Convert(tensor, dtype);
    }

    /// <summary>Copies <paramref name="tensor"/>'s elements, converted to <typeparamref name="T"/>, into <paramref name="destination"/>.</summary>
    public static void CopyTo<T>(Tensor tensor, Span<T> destination)
        where T : unmanaged
    {
        var type = ElementType<T>();
        if (tensor.dtype == type && tensor.is_contiguous())
        {
            MemoryMarshal.Cast<byte, T>(tensor.bytes).CopyTo(destination);
            return;
        }

        using var scope = NewDisposeScope();
        var converted = tensor.detach().to_type(type).contiguous();
        MemoryMarshal.Cast<byte, T>(converted.bytes).CopyTo(destination);
    }

    /// <summary>Overwrites <paramref name="tensor"/>'s elements with <paramref name="source"/> (no gradient recorded).</summary>
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

    private static ScalarType ElementType<T>()
        where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : throw new NotSupportedException($"Tensors of {typeof(T).Name} are not exchanged here; use float or double.");

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

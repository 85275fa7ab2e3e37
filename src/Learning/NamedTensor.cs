namespace A3cGrpc.Learning;

/// <summary>
/// One named float32 array with its shape: a model parameter or its gradient, as exchanged between processes and
/// matched by <see cref="Name"/> (for example <c>trunk.0.weight</c>). The arrays are shared, not copied.
/// </summary>
public sealed class NamedTensor
{
    /// <summary>Wraps <paramref name="data"/> (row-major) as the tensor <paramref name="name"/> of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">Empty name, a negative dimension, or a data length that is not the shape's product.</exception>
    public NamedTensor(string name, int[] shape, float[] data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long elements = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            }

            elements *= dimension;
        }

        if (elements != data.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({elements} elements) but {data.Length} values.", nameof(data));
        }

        Name = name;
        Shape = shape;
        Data = data;
    }

    /// <summary>The parameter's stable name.</summary>
    public string Name { get; }

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Values in row-major order.</summary>
    public float[] Data { get; }

    /// <summary>True when the shape equals <paramref name="shape"/>.</summary>
    public bool HasShape(ReadOnlySpan<long> shape)
    {
        if (shape.Length != Shape.Length)
        {
            return false;
        }

        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] != Shape[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}

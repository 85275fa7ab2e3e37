using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace A3cGrpc.Learning;

/// <summary>
/// An ordered set of <see cref="NamedTensor"/> with unique names: all parameters (or all gradients) of a model,
/// the unit of parameter exchange. Lookup by name is O(1).
/// </summary>
public sealed class NamedTensors : IReadOnlyList<NamedTensor>
{
    private readonly NamedTensor[] _items;
    private readonly Dictionary<string, NamedTensor> _byName;

    /// <summary>Collects <paramref name="tensors"/> in order.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name.</exception>
    public NamedTensors(IEnumerable<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _items = [.. tensors];
        _byName = new Dictionary<string, NamedTensor>(_items.Length, StringComparer.Ordinal);
        foreach (var tensor in _items)
        {
            ArgumentNullException.ThrowIfNull(tensor, nameof(tensors));
            if (!_byName.TryAdd(tensor.Name, tensor))
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' appears more than once.", nameof(tensors));
            }
        }
    }

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <summary>Total number of values over all tensors.</summary>
    public long ElementCount => _items.Sum(t => (long)t.Data.Length);

    /// <inheritdoc />
    public NamedTensor this[int index] => _items[index];

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public NamedTensor this[string name] =>
        _byName.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"No tensor named '{name}'.");

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out NamedTensor tensor) => _byName.TryGetValue(name, out tensor);

    /// <summary>The Euclidean norm of all values taken together (for example the global gradient norm).</summary>
    public double L2Norm()
    {
        var sum = 0.0;
        foreach (var tensor in _items)
        {
            sum += SumOfSquares(tensor.Data);
        }

        return Math.Sqrt(sum);
    }

    /// <summary>A deep copy (new arrays).</summary>
    public NamedTensors Clone() =>
        new(_items.Select(t => new NamedTensor(t.Name, (int[])t.Shape.Clone(), (float[])t.Data.Clone())));

    /// <inheritdoc />
    public IEnumerator<NamedTensor> GetEnumerator() => ((IEnumerable<NamedTensor>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values) => FirstNonFinite(values);

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/> (binary16, as on the wire), or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<Half> values) => FirstNonFinite(values);

    /// <summary>A vectorised check of all values, then a search only when one is not finite.</summary>
    private static int FirstNonFinite<T>(ReadOnlySpan<T> values)
        where T : IFloatingPointIeee754<T>
    {
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values))
        {
            return -1;
        }

        var i = 0;
        while (T.IsFinite(values[i]))
        {
            i++;
        }

        return i;
    }

    internal static double SumOfSquares(ReadOnlySpan<float> values)
    {
        // Widened to double lanes: exact enough for any parameter count, and vectorised.
        var accumulator = Vector<double>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            foreach (var vector in vectors)
            {
                Vector.Widen(vector, out var low, out var high);
                accumulator += (low * low) + (high * high);
            }

            i = vectors.Length * Vector<float>.Count;
        }

        var sum = Vector.Sum(accumulator);
        for (; i < values.Length; i++)
        {
            sum += (double)values[i] * values[i];
        }

        return sum;
    }
}

using System.Collections.Concurrent;
using A3cGrpc.Learning;

namespace A3cGrpc.ParameterServer.Model;

/// <summary>One parameter of the global model: its stable name and shape.</summary>
/// <param name="Name">The learning core's parameter name (e.g. <c>trunk.0.weight</c>).</param>
/// <param name="Shape">Dimensions, outermost first.</param>
public sealed record ParameterShape(string Name, int[] Shape)
{
    /// <summary>Number of values.</summary>
    public int ElementCount => Shape.Aggregate(1, (product, dimension) => checked(product * dimension));
}

/// <summary>
/// The global model's parameter names and shapes, the message size limit derived from them, and a small pool of
/// gradient buffers with that layout (pushes are decoded into per-request buffers outside the training lock).
/// </summary>
public sealed class ModelLayout
{
    /// <summary>
    /// Room in a push beyond the gradient values: names, shapes and field tags (~100 bytes a tensor), ids (2 x 200
    /// characters) and rollout statistics, whose episode returns take 8 bytes each (this leaves room for tens of
    /// thousands). Also keeps the limit above the largest valid <c>ActBatch</c> (4096 x 5 floats, 80 KiB).
    /// </summary>
    public const int MessageMarginBytes = 256 * 1024;

    private const int PooledBuffers = 8;

    private readonly ConcurrentBag<NamedTensors> _pool = [];

    /// <summary>The layout of <paramref name="parameters"/> (names, shapes and order; the values are not kept).</summary>
    public ModelLayout(NamedTensors parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters.Select(p => new ParameterShape(p.Name, (int[])p.Shape.Clone()))];
        ParameterCount = Parameters.Sum(p => (long)p.ElementCount);
        MaxReceiveMessageBytes = MaxReceiveMessageBytesFor(ParameterCount);
    }

    /// <summary>Every parameter in the model's order.</summary>
    public IReadOnlyList<ParameterShape> Parameters { get; }

    /// <summary>Total number of values.</summary>
    public long ParameterCount { get; }

    /// <summary>The largest message the server accepts: the float32 gradients plus <see cref="MessageMarginBytes"/>.</summary>
    public int MaxReceiveMessageBytes { get; }

    /// <summary>The receive limit for a model of <paramref name="parameterCount"/> values.</summary>
    public static int MaxReceiveMessageBytesFor(long parameterCount) =>
        checked((int)((parameterCount * sizeof(float)) + MessageMarginBytes));

    /// <summary>
    /// The number of values of <see cref="ActorCritic"/> built from <paramref name="hyperparameters"/>: each trunk
    /// layer <c>in x out + out</c>, the mu and sigma heads <c>h x a + a</c> each, the value head <c>h + 1</c>.
    /// Lets the message limit be set before the model exists.
    /// </summary>
    public static long CountParameters(A3cHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        long count = 0;
        long width = hyperparameters.ObservationSize;
        foreach (var hidden in hyperparameters.EffectiveHiddenSizes)
        {
            count += (width * hidden) + hidden;
            width = hidden;
        }

        return count + (2 * ((width * hyperparameters.ActionSize) + hyperparameters.ActionSize)) + width + 1;
    }

    /// <summary>A buffer set with this layout (from the pool when one is free); give it back with <see cref="Return"/>.</summary>
    public NamedTensors RentBuffers() =>
        _pool.TryTake(out var buffers)
            ? buffers
            : new NamedTensors(Parameters.Select(p => new NamedTensor(p.Name, (int[])p.Shape.Clone(), new float[p.ElementCount])));

    /// <summary>Returns a buffer set taken from <see cref="RentBuffers"/> (its contents are overwritten by the next user).</summary>
    public void Return(NamedTensors buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (_pool.Count < PooledBuffers)
        {
            _pool.Add(buffers);
        }
    }
}

using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace A3cGrpc.Learning;

/// <summary>
/// Moves a model's parameters and gradients to and from <see cref="NamedTensors"/>, matched by name.
/// Every write validates the whole input first and changes nothing when any entry is wrong.
/// </summary>
internal static class ParameterExchange
{
    /// <summary>A fresh copy of every parameter (float32), in the model's order.</summary>
    public static NamedTensors Export(ActorCritic model)
    {
        var tensors = new List<NamedTensor>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var data = new float[parameter.numel()];
            TensorData.CopyTo(parameter, data);
            tensors.Add(new NamedTensor(name, ToIntShape(parameter.shape), data));
        }

        return new NamedTensors(tensors);
    }

    /// <summary>Copies every parameter into the matching, correctly shaped buffers of <paramref name="destination"/>.</summary>
    public static void ExportInto(ActorCritic model, NamedTensors destination, string what)
    {
        ValidateLayout(model, destination, what);
        foreach (var (name, parameter) in model.named_parameters())
        {
            TensorData.CopyTo(parameter, destination[name].Data);
        }
    }

    /// <summary>Overwrites the model's weights with <paramref name="parameters"/> after validating all of them.</summary>
    public static void Import(ActorCritic model, NamedTensors parameters)
    {
        Validate(model, parameters, "parameter");
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            TensorData.CopyFrom(parameter, parameters[name].Data);
        }
    }

    /// <summary>Copies each parameter's gradient (zeros where there is none) into <paramref name="destination"/>.</summary>
    public static void ReadGradients(ActorCritic model, NamedTensors destination)
    {
        ValidateLayout(model, destination, "gradient");
        foreach (var (name, parameter) in model.named_parameters())
        {
            var buffer = destination[name].Data;
            using var grad = parameter.grad;
            if (grad is null)
            {
                Array.Clear(buffer);
            }
            else
            {
                TensorData.CopyTo(grad, buffer);
            }
        }
    }

    /// <summary>The global L2 norm of the parameters' current gradients (read in place, no copies for float32).</summary>
    public static double GradientNorm(ActorCritic model)
    {
        var sum = 0.0;
        foreach (var parameter in model.parameters())
        {
            using var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            if (grad.dtype == ScalarType.Float32 && grad.is_contiguous())
            {
                sum += NamedTensors.SumOfSquares(MemoryMarshal.Cast<byte, float>(grad.bytes));
            }
            else
            {
                var copy = new float[grad.numel()];
                TensorData.CopyTo(grad, copy);
                sum += NamedTensors.SumOfSquares(copy);
            }
        }

        return Math.Sqrt(sum);
    }

    /// <summary>Multiplies every parameter's gradient by <paramref name="coefficient"/> in place.</summary>
    public static void ScaleGradients(ActorCritic model, double coefficient)
    {
        using var noGrad = no_grad();
        using TorchSharp.Scalar factor = coefficient;
        foreach (var parameter in model.parameters())
        {
            using var grad = parameter.grad;
            grad?.mul_(factor);
        }
    }

    /// <summary>New zero-filled buffers with the model's names and shapes.</summary>
    public static NamedTensors CreateLayout(ActorCritic model) =>
        new(model.named_parameters().Select(p => new NamedTensor(p.name, ToIntShape(p.parameter.shape), new float[p.parameter.numel()])));

    /// <summary>Sets each parameter's gradient to <paramref name="gradients"/> after validating all of them.</summary>
    public static void WriteGradients(ActorCritic model, NamedTensors gradients)
    {
        Validate(model, gradients, "gradient");
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var grad = parameter.grad;
            if (grad is null)
            {
                using var zeros = zeros_like(parameter);
                parameter.grad = zeros;
                grad = parameter.grad!;
            }

            using (grad)
            {
                TensorData.CopyFrom(grad, gradients[name].Data);
            }
        }
    }

    /// <summary>
    /// Checks that <paramref name="tensors"/> names exactly the model's parameters with their shapes and holds only
    /// finite values.
    /// </summary>
    /// <exception cref="ArgumentException">Names the first offending parameter.</exception>
    public static void Validate(ActorCritic model, NamedTensors tensors, string what)
    {
        ValidateLayout(model, tensors, what);
        foreach (var tensor in tensors)
        {
            var bad = NamedTensors.IndexOfNonFinite(tensor.Data);
            if (bad >= 0)
            {
                throw new ArgumentException($"The {what} '{tensor.Name}' holds a non-finite value ({tensor.Data[bad]}) at index {bad}.", nameof(tensors));
            }
        }
    }

    /// <summary>Checks names, shapes and sizes (not values).</summary>
    public static void ValidateLayout(ActorCritic model, NamedTensors tensors, string what)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var expected = 0;
        foreach (var (name, parameter) in model.named_parameters())
        {
            expected++;
            if (!tensors.TryGet(name, out var tensor))
            {
                throw new ArgumentException($"The {what} '{name}' is missing.", nameof(tensors));
            }

            if (!tensor.HasShape(parameter.shape))
            {
                throw new ArgumentException(
                    $"The {what} '{name}' has shape [{string.Join(", ", tensor.Shape)}]; the model's is [{string.Join(", ", parameter.shape)}].",
                    nameof(tensors));
            }

            if (tensor.Data.Length != parameter.numel())
            {
                throw new ArgumentException(
                    $"The {what} '{name}' holds {tensor.Data.Length} values; the model's has {parameter.numel()}.", nameof(tensors));
            }
        }

        if (tensors.Count != expected)
        {
            var known = model.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
            var unknown = tensors.First(t => !known.Contains(t.Name));
            throw new ArgumentException($"The {what} '{unknown.Name}' is not a parameter of the model.", nameof(tensors));
        }
    }

    private static int[] ToIntShape(long[] shape) => [.. shape.Select(d => checked((int)d))];
}

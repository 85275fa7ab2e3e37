namespace A3cGrpc.Distributed.Wire;

/// <summary>A message's tensors do not fit the model: the message says which tensor and what is wrong.</summary>
public sealed class WireFormatException : Exception
{
    /// <summary>An empty exception (for serializers).</summary>
    public WireFormatException()
    {
    }

    /// <summary>A wire-format error described by <paramref name="message"/>.</summary>
    public WireFormatException(string message)
        : base(message)
    {
    }

    /// <summary>A wire-format error caused by <paramref name="innerException"/>.</summary>
    public WireFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

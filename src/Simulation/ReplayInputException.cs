namespace A3cGrpc.Simulation;

/// <summary>
/// The input of <see cref="EnvironmentReplay"/> is unusable: a missing or unreadable actions
/// file, malformed JSON, a value that is not a finite number, too many actions, or a
/// non-finite angle offset. The message says which and where; it is meant for the user.
/// </summary>
public sealed class ReplayInputException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ReplayInputException()
        : base("The replay input is invalid.")
    {
    }

    /// <summary>Creates the exception with a message for the user.</summary>
    public ReplayInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message for the user and its cause.</summary>
    public ReplayInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

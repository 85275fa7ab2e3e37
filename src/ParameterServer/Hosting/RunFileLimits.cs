using A3cGrpc.Distributed.Options;
using Microsoft.Extensions.Options;

namespace A3cGrpc.ParameterServer.Hosting;

/// <summary>
/// What the run folder's files need of <see cref="ParameterServerOptions"/> beyond its own rules: config.json and
/// summary.json record the seed as a 32-bit integer (as the single-process trainer's do).
/// </summary>
public sealed class RunFileLimits : IValidateOptions<ParameterServerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ParameterServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Seed is < int.MinValue or > int.MaxValue
            ? ValidateOptionsResult.Fail($"ParameterServer:Seed must fit in a 32-bit integer (it is recorded in config.json), got {options.Seed}.")
            : ValidateOptionsResult.Success;
    }
}

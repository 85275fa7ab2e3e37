using System.ComponentModel.DataAnnotations;
using A3cGrpc.ServiceDefaults;

namespace A3cGrpc.EnvSim.Options;

/// <summary>The EnvSim process's options (section <see cref="SectionName"/>); where it listens from ASP.NET Core's <c>Urls</c>.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Simulator";

    /// <summary>The most environments one session may hold.</summary>
    [Range(1, 65_536)]
    public int MaxEnvironments { get; set; } = 256;

    /// <summary>Sessions served at once (a worker needs one).</summary>
    [Range(1, 1024)]
    public int MaxSessions { get; set; } = 4;

    /// <summary>Throws <see cref="ValidationException"/> naming every invalid value.</summary>
    public void Validate() => OptionsValidation.Validate(this, SectionName);
}

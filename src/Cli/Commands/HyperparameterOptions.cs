using System.CommandLine;
using System.Globalization;
using A3cGrpc.Distributed.Options;
using A3cGrpc.Learning;
using Microsoft.Extensions.Configuration;

namespace A3cGrpc.Cli.Commands;

/// <summary>
/// The command-line options that choose the hyper-parameters (shared by <c>train</c> and <c>bench learning</c>): a
/// preset, a few common settings by name, and <c>--set Name=value</c> for any other; resolved like the services'
/// <c>A3c</c> section (<see cref="HyperparameterConfiguration"/>), so the same words mean the same thing everywhere.
/// </summary>
internal sealed class HyperparameterOptions
{
    public HyperparameterOptions()
    {
        Preset.AcceptOnlyFromAmong([.. HyperparameterPresets.Names]);
        Environments.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 4096)
            {
                r.AddError("--envs-per-worker must be between 1 and 4096.");
            }
        });
    }

    public Option<string> Preset { get; } = new("--preset", "-p")
    {
        Description = $"Hyper-parameter preset: {HyperparameterPresets.DefaultName} (measured: docs/experiments.md) or {HyperparameterPresets.SeedName} (the seed report's network and settings). The options below override it.",
        DefaultValueFactory = _ => HyperparameterPresets.DefaultName,
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override any hyper-parameter of the preset: --set Name=value (repeatable; a list as 64,64), e.g. --set GaeLambda=0.9 --set HiddenSizes=128,128.",
    };

    public Option<int?> NSteps { get; } = new("--n-steps", "-n")
    {
        Description = "Transitions per environment per update (1 = the seed's single-step mode). Default: the preset's.",
    };

    public Option<double?> LearningRate { get; } = new("--learning-rate")
    {
        Description = "Adam learning rate. Default: the preset's (the seed preset's rule: 3e-5 when n < 3, else 4e-4).",
    };

    public Option<double?> Gamma { get; } = new("--gamma")
    {
        Description = "Discount factor. Default: the preset's.",
    };

    public Option<int?> Environments { get; } = new("--envs-per-worker", "--envs")
    {
        Description = "Environments each learner (every worker, or the single process) steps in lock step; an update learns from all of them. Default: the preset's.",
    };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [Preset, Set, NSteps, LearningRate, Gamma, Environments];

    /// <summary>The hyper-parameters the command line asks for (not validated).</summary>
    /// <exception cref="ArgumentException">An unknown preset or a malformed <c>--set</c>.</exception>
    /// <exception cref="InvalidOperationException">A value that does not convert to its setting's type.</exception>
    public A3cHyperparameters Resolve(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var keys = new List<KeyValuePair<string, string?>> { new(nameof(A3cHyperparameters.Preset), parse.GetValue(Preset)) };
        void Add(string key, IFormattable? value)
        {
            if (value is not null)
            {
                keys.Add(new(key, value.ToString(null, CultureInfo.InvariantCulture)));
            }
        }

        Add(nameof(A3cHyperparameters.NSteps), parse.GetValue(NSteps));
        Add(nameof(A3cHyperparameters.LearningRate), parse.GetValue(LearningRate));
        Add(nameof(A3cHyperparameters.Gamma), parse.GetValue(Gamma));
        Add(nameof(A3cHyperparameters.Environments), parse.GetValue(Environments));
        keys.AddRange(HyperparameterConfiguration.ParseOverrides(parse.GetValue(Set) ?? []));
        return HyperparameterConfiguration.Resolve(new ConfigurationBuilder().AddInMemoryCollection(keys).Build());
    }
}

using System.Text.Json;
using A3cGrpc.Experiments.Evaluation;
using A3cGrpc.Learning;

namespace A3cGrpc.Experiments.Reporting;

/// <summary>
/// The settings a run started with (<c>config.json</c> in its folder), so that a resumed run continues
/// with the same hyper-parameters, seed and evaluation rather than whatever a new command line says.
/// </summary>
public sealed record RunSettings(A3cHyperparameters Hyperparameters, int Seed, EvaluationOptions Evaluation)
{
    /// <summary>Writes the settings as JSON, through a temporary file and a rename.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, RunJson.Options));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads settings written by <see cref="Save"/>, with a clear error when there are none.</summary>
    public static RunSettings Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No run settings at {path}: is this a run folder made by 'a3c train'?", path);
        }

        var settings = JsonSerializer.Deserialize<RunSettings>(File.ReadAllText(path), RunJson.Options)
            ?? throw new InvalidDataException($"{path} holds no run settings.");
        settings.Hyperparameters.Validate();
        settings.Evaluation.Validate();
        return settings;
    }
}

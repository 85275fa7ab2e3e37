using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace A3cGrpc.Simulation;

/// <summary>
/// Replays a fixed list of actions from a chosen reset angle and writes every step as one
/// line of JSON, for comparing this environment with pybullet (the logic behind the CLI's
/// <c>env replay --theta-offset U --actions FILE</c>).
/// </summary>
/// <remarks>
/// <para>Output: one object per step, in order, each on its own line (JSON Lines):
/// <c>{"step":n,"obs":[x,vx,cos,sin,thdot],"reward":r}</c> with n starting at 1. Numbers are
/// written in the shortest form that parses back to the same double (round-trip, like "R").</para>
/// <para>Actions file: a JSON array of at most 1000 finite numbers, e.g. <c>[1, -0.5, 0]</c>.
/// Values outside [−1, 1] are allowed and clipped by the environment, as gym does.</para>
/// </remarks>
public static class EnvironmentReplay
{
    private static readonly JsonDocumentOptions _strictJson = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Reads and checks an actions file (see <see cref="ParseActions"/>).</summary>
    /// <exception cref="ReplayInputException">The file is missing, unreadable or invalid; the message says why.</exception>
    public static IReadOnlyList<double> LoadActions(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ReplayInputException("No actions file was given.");
        }

        string json;
        try
        {
            json = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReplayInputException($"Actions file '{path}' does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ReplayInputException($"Actions file '{path}' could not be read: {e.Message}", e);
        }

        return ParseActions(json, $"Actions file '{path}'");
    }

    /// <summary>Parses a JSON array of at most 1000 finite numbers.</summary>
    /// <param name="json">The document text.</param>
    /// <param name="sourceName">How messages name the input, e.g. <c>Actions file 'a.json'</c>.</param>
    /// <exception cref="ReplayInputException">Malformed JSON, not an array, a non-number or non-finite element, or more than 1000 actions.</exception>
    public static IReadOnlyList<double> ParseActions(string json, string sourceName = "The actions")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, _strictJson);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            var reason = e.Message;
            var position = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (position >= 0)
            {
                reason = reason[..position];
            }

            throw new ReplayInputException(
                $"{sourceName} is not valid JSON (line {line}, byte {column}): {reason} Expected an array of numbers such as [1, -0.5, 0].",
                e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new ReplayInputException(
                    $"{sourceName} must be a JSON array of numbers, but its top level is {Describe(root.ValueKind)}.");
            }

            var count = root.GetArrayLength();
            if (count > SwingUpConstants.MaxEpisodeSteps)
            {
                throw new ReplayInputException(
                    $"{sourceName} has {count} actions, but an episode is truncated after {SwingUpConstants.MaxEpisodeSteps} steps; give at most {SwingUpConstants.MaxEpisodeSteps}.");
            }

            var actions = new double[count];
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                actions[index] = ReadAction(element, index, sourceName);
                index++;
            }

            return actions;
        }
    }

    /// <summary>
    /// Resets an environment to θ = 3.1415 + <paramref name="thetaOffset"/>, applies
    /// <paramref name="actions"/> in order and writes one JSON line per step to <paramref name="output"/>.
    /// Everything is checked before the first line is written.
    /// </summary>
    /// <returns>The number of steps written (the number of actions).</returns>
    /// <exception cref="ReplayInputException">The offset is not finite, an action is not finite, or there are more than 1000 actions.</exception>
    public static int Run(double thetaOffset, IReadOnlyList<double> actions, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(output);
        if (!double.IsFinite(thetaOffset))
        {
            throw new ReplayInputException($"The theta offset must be a finite number of radians, got {thetaOffset.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (actions.Count > SwingUpConstants.MaxEpisodeSteps)
        {
            throw new ReplayInputException(
                $"{actions.Count} actions were given, but an episode is truncated after {SwingUpConstants.MaxEpisodeSteps} steps.");
        }

        for (var i = 0; i < actions.Count; i++)
        {
            if (!double.IsFinite(actions[i]))
            {
                throw new ReplayInputException(
                    $"Action {i} (step {i + 1}) is {actions[i].ToString(CultureInfo.InvariantCulture)}; actions must be finite numbers.");
            }
        }

        using var env = new CartPoleSwingUpEnv(seed: 0);
        Span<double> observation = stackalloc double[SwingUpConstants.ObservationSize];
        Span<double> action = stackalloc double[SwingUpConstants.ActionSize];
        env.Reset(thetaOffset, observation);

        var buffer = new ArrayBufferWriter<byte>(256);
        using var json = new Utf8JsonWriter(buffer);
        for (var i = 0; i < actions.Count; i++)
        {
            action[0] = actions[i];
            var outcome = env.Step(action, observation);

            buffer.ResetWrittenCount();
            json.Reset(buffer);
            json.WriteStartObject();
            json.WriteNumber("step", outcome.StepIndex);
            json.WriteStartArray("obs");
            foreach (var value in observation)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
            json.WriteNumber("reward", outcome.Reward);
            json.WriteEndObject();
            json.Flush();

            output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
            output.Write('\n');
        }

        return actions.Count;
    }

    private static double ReadAction(JsonElement element, int index, string sourceName)
    {
        var where = $"{sourceName}: element {index} (step {index + 1})";
        if (element.ValueKind != JsonValueKind.Number)
        {
            var text = element.ValueKind == JsonValueKind.String ? $" {Shorten(element.GetRawText())}" : string.Empty;
            throw new ReplayInputException(
                $"{where} is {Describe(element.ValueKind)}{text}, expected a finite number (NaN and infinities are not allowed).");
        }

        if (!element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw new ReplayInputException($"{where} is {element.GetRawText()}, which is not a finite double.");
        }

        return value;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Undefined => "empty",
        _ => kind.ToString(),
    };
}

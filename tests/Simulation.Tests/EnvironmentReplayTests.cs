using System.Globalization;
using System.Text.Json;
using A3cGrpc.Simulation.Tests.TestSupport;

namespace A3cGrpc.Simulation.Tests;

/// <summary><see cref="EnvironmentReplay"/>: the JSON Lines output and the actions-file checks.</summary>
public sealed class EnvironmentReplayTests
{
    private static readonly double[] _goldenActions = Enumerable.Range(1, 100).Select(Episodes.GoldenAction).ToArray();

    private static string[] Replay(double thetaOffset, IReadOnlyList<double> actions)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var steps = EnvironmentReplay.Run(thetaOffset, actions, writer);
        var text = writer.ToString();
        Assert.Equal(actions.Count, steps);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "output must end with a newline");
        return text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
    }

    [Fact]
    public void Run_GoldenActions_WritesOneObjectPerStepMatchingTheEnvironmentBitForBit()
    {
        // Arrange
        var (observations, _, _) = Episodes.Run(0.0, 100, Episodes.GoldenAction);

        // Act
        var lines = Replay(0.0, _goldenActions);

        // Assert: 100 lines; keys in order step, obs, reward; numbers parse back to the same doubles.
        Assert.Equal(100, lines.Length);
        for (var n = 1; n <= 100; n++)
        {
            using var document = JsonDocument.Parse(lines[n - 1]);
            var root = document.RootElement;
            Assert.Equal(["step", "obs", "reward"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(n, root.GetProperty("step").GetInt32());
            var obs = root.GetProperty("obs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(observations[n - 1], obs);
            Assert.Equal(observations[n - 1][2], root.GetProperty("reward").GetDouble());
        }

        // Spot check against docs/env-spec.md (§5.6, printed-digit tolerance) through the text itself.
        using var row40 = JsonDocument.Parse(lines[39]);
        Spec.Printed("-5.945003739", row40.RootElement.GetProperty("obs")[4].GetDouble(), "theta_dot at step 40");
    }

    [Fact]
    public void Run_FirstLine_UsesCompactShortestRoundTripNumbers()
    {
        // Arrange
        using var env = new CartPoleSwingUpEnv(seed: 0);
        env.Reset(0.0);
        var obs = env.Step([1.0]).Observation;
        var expected = "{\"step\":1,\"obs\":["
            + string.Join(",", obs.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))
            + "],\"reward\":" + obs[2].ToString("R", CultureInfo.InvariantCulture) + "}";

        // Act
        var lines = Replay(0.0, [1.0]);

        // Assert
        Assert.Equal(expected, Assert.Single(lines));
    }

    [Fact]
    public void Run_ThousandActions_WritesThousandLines()
    {
        // Act
        var lines = Replay(-0.1, Episodes.RandomActions(3, 1000));

        // Assert
        Assert.Equal(1000, lines.Length);
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(1000, last.RootElement.GetProperty("step").GetInt32());
    }

    [Fact]
    public void Run_NoActions_WritesNothing()
    {
        // Act / Assert
        Assert.Empty(Replay(0.05, []));
    }

    [Fact]
    public void Run_TooManyActions_ThrowsBeforeWritingAnything()
    {
        // Arrange
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.Run(0.0, new double[1001], writer));

        // Assert
        Assert.Contains("1001 actions", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated after 1000 steps", error.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, writer.ToString());
    }

    [Fact]
    public void Run_NonFiniteAction_ThrowsBeforeWritingAnything()
    {
        // Arrange
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.Run(0.0, [0.5, 0.5, double.NaN], writer));

        // Assert
        Assert.Contains("Action 2 (step 3) is NaN", error.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, writer.ToString());
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void Run_NonFiniteThetaOffset_Throws(double thetaOffset)
    {
        // Arrange
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.Run(thetaOffset, [0.0], writer));

        // Assert
        Assert.Contains("theta offset must be a finite number", error.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, writer.ToString());
    }

    [Fact]
    public void ParseActions_ValidArray_ReturnsNumbersInOrder()
    {
        // Act
        var actions = EnvironmentReplay.ParseActions(" [1, -0.5, 0, 2.5e-1, -1E0, 0.30000000000000004, 7]\n");

        // Assert: out-of-range values are kept (the environment clips them, as gym does).
        Assert.Equal([1.0, -0.5, 0.0, 0.25, -1.0, 0.30000000000000004, 7.0], actions);
    }

    [Fact]
    public void ParseActions_EmptyArray_ReturnsNoActions()
    {
        // Act / Assert
        Assert.Empty(EnvironmentReplay.ParseActions("[]"));
    }

    [Theory]
    [InlineData("[1, 2", "is not valid JSON (line 1")]
    [InlineData("[1,\n 2,\n x]", "is not valid JSON (line 3")]
    [InlineData("[1, NaN]", "is not valid JSON")]
    [InlineData("[1, 2,]", "is not valid JSON")]
    [InlineData("[1, /* two */ 2]", "is not valid JSON")]
    [InlineData("", "is not valid JSON")]
    [InlineData("{\"actions\": [1]}", "must be a JSON array of numbers, but its top level is an object")]
    [InlineData("0.5", "must be a JSON array of numbers, but its top level is a number")]
    [InlineData("[0.5, \"NaN\"]", "element 1 (step 2) is a string \"NaN\", expected a finite number")]
    [InlineData("[0.5, \"0.25\"]", "element 1 (step 2) is a string \"0.25\"")]
    [InlineData("[null]", "element 0 (step 1) is null")]
    [InlineData("[true]", "element 0 (step 1) is a boolean")]
    [InlineData("[[1]]", "element 0 (step 1) is an array")]
    [InlineData("[0, 1e400]", "element 1 (step 2) is 1e400, which is not a finite double")]
    public void ParseActions_BadDocument_ThrowsWithClearMessage(string json, string expected)
    {
        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.ParseActions(json, "Actions file 'a.json'"));

        // Assert
        Assert.StartsWith("Actions file 'a.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseActions_MoreThan1000Actions_Throws()
    {
        // Arrange
        var json = "[" + string.Join(",", Enumerable.Repeat("0", 1001)) + "]";

        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.ParseActions(json));

        // Assert
        Assert.Contains("has 1001 actions, but an episode is truncated after 1000 steps", error.Message, StringComparison.Ordinal);
        Assert.Equal(1000, EnvironmentReplay.ParseActions("[" + string.Join(",", Enumerable.Repeat("0", 1000)) + "]").Count);
    }

    [Fact]
    public void LoadActions_MissingFile_ThrowsSayingItDoesNotExist()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), $"a3c-missing-{Guid.NewGuid():N}", "actions.json");

        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.LoadActions(path));

        // Assert
        Assert.Equal($"Actions file '{path}' does not exist.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void LoadActions_NoPath_Throws(string path)
    {
        // Act
        var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.LoadActions(path));

        // Assert
        Assert.Equal("No actions file was given.", error.Message);
    }

    [Fact]
    public void LoadActions_DirectoryInsteadOfFile_ThrowsSayingItCouldNotBeRead()
    {
        // Arrange
        var directory = Directory.CreateTempSubdirectory("a3c-replay-");
        try
        {
            // Act
            var error = Assert.Throws<ReplayInputException>(() => EnvironmentReplay.LoadActions(directory.FullName));

            // Assert
            Assert.StartsWith($"Actions file '{directory.FullName}' could not be read", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete();
        }
    }

    [Fact]
    public void LoadActions_WrittenFile_RoundTripsThroughReplay()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), $"a3c-actions-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(_goldenActions));
        try
        {
            // Act
            var actions = EnvironmentReplay.LoadActions(path);
            var lines = Replay(0.0, actions);

            // Assert
            Assert.Equal(_goldenActions, actions);
            Assert.Equal(Replay(0.0, _goldenActions), lines);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using System.CommandLine;
using A3cGrpc.Cli.Commands;
using Spectre.Console;

namespace A3cGrpc.Cli;

/// <summary>Composes the <c>a3c</c> command tree (also used by the tests, with their own writers).</summary>
internal static class CliApp
{
    public static RootCommand CreateRootCommand() =>
        new("A3cGrpc: A3C on the Bullet cart-pole swing-up (InvertedPendulumSwingupBulletEnv-v0).")
        {
            TrainCommand.Create(),
            EnvCommand.Create(),
            CompareCommand.Create(),
            BenchCommand.Create(),
        };

    /// <summary>
    /// A Spectre console writing to the invocation's output: the real terminal in normal use, a
    /// <see cref="StringWriter"/> in tests.
    /// </summary>
    public static IAnsiConsole ConsoleFor(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        return ReferenceEquals(output, System.Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
    }
}

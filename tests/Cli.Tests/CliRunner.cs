using System.CommandLine;

namespace A3cGrpc.Cli.Tests;

/// <summary>Runs the real <c>a3c</c> command tree in-process with captured output.</summary>
internal static class CliRunner
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        RunAsync(CancellationToken.None, args);

    /// <summary>Runs with <paramref name="cancellationToken"/> as the command's token (what Ctrl-C cancels).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await CliApp.CreateRootCommand().Parse(args).InvokeAsync(configuration, cancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}

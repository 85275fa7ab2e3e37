using System.CommandLine;

namespace A3cGrpc.Cli.Tests;

/// <summary>Runs the real <c>a3c</c> command tree in-process with captured output.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await CliApp.CreateRootCommand().Parse(args).InvokeAsync(configuration);
        return (exitCode, output.ToString(), error.ToString());
    }
}

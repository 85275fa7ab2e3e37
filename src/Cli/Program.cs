using System.CommandLine;
using A3cGrpc.Cli;

// `a3c`: the command line of A3cGrpc. The commands live in Commands/; CliApp composes them.
// SIGINT (Ctrl-C) and SIGTERM cancel the running command's token; a training run then writes its final
// checkpoint, curve and summary, which the timeout leaves ample room for.
return await CliApp.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration
{
    ProcessTerminationTimeout = TimeSpan.FromSeconds(60),
});

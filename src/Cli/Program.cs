using A3cGrpc.Cli;

// `a3c`: the command line of A3cGrpc. The commands live in Commands/; CliApp composes them.
return await CliApp.CreateRootCommand().Parse(args).InvokeAsync();

using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace A3cGrpc.Distributed.SimulatorClient;

/// <summary>
/// Forwards a child process's standard output and error, line by line, to a logger and keeps the last lines for
/// error messages (a child that fails to start explains itself there).
/// </summary>
internal sealed partial class ChildProcessOutput
{
    private const int KeptLines = 40;

    private readonly Queue<string> _lastLines = new(KeptLines);
    private readonly ILogger _logger;
    private readonly string _name;

    /// <summary>Starts reading <paramref name="process"/>'s redirected output (call right after it started).</summary>
    public ChildProcessOutput(Process process, string name, ILogger logger)
    {
        _logger = logger;
        _name = name;
        process.OutputDataReceived += (_, e) => Receive(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Receive(e.Data, isError: true);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The last lines the child wrote (standard output and error interleaved), or a note that it wrote none.</summary>
    public string Tail()
    {
        lock (_lastLines)
        {
            return _lastLines.Count == 0 ? "(no output)" : string.Join(Environment.NewLine, _lastLines);
        }
    }

    private void Receive(string? line, bool isError)
    {
        if (line is null)
        {
            return; // end of stream
        }

        lock (_lastLines)
        {
            if (_lastLines.Count == KeptLines)
            {
                _lastLines.Dequeue();
            }

            _lastLines.Enqueue(line);
        }

        if (isError)
        {
            LogError(_logger, _name, line);
        }
        else
        {
            LogOutput(_logger, _name, line);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: {Line}")]
    private static partial void LogOutput(ILogger logger, string name, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} (stderr): {Line}")]
    private static partial void LogError(ILogger logger, string name, string line);
}

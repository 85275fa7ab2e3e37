using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace A3cGrpc.ServiceDefaults.Launching;

/// <summary>
/// Where a started service's output is, and its last lines for error messages (a child that fails to start explains
/// itself there): a log file the child writes itself, or lines forwarded to a logger as they come.
/// </summary>
internal abstract partial class ServiceOutput
{
    private const int KeptLines = 40;

    /// <summary>The last lines the child wrote, or a note that there are none.</summary>
    public abstract string Tail();

    /// <summary>Output that the child appends to <paramref name="logFile"/> itself (null: discarded).</summary>
    public static ServiceOutput InFile(string? logFile) => new FileOutput(logFile);

    /// <summary>Starts forwarding <paramref name="process"/>'s redirected output to <paramref name="logger"/> (call right after it started).</summary>
    public static ServiceOutput ForwardTo(Process process, string name, ILogger logger) => new ForwardedOutput(process, name, logger);

    private static string Lines(IReadOnlyCollection<string> lines) =>
        lines.Count == 0 ? "(no output)" : string.Join(Environment.NewLine, lines);

    private sealed class FileOutput(string? logFile) : ServiceOutput
    {
        public override string Tail()
        {
            if (logFile is null)
            {
                return "(output discarded)";
            }

            try
            {
                using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                var last = new Queue<string>(KeptLines);
                while (reader.ReadLine() is { } line)
                {
                    if (last.Count == KeptLines)
                    {
                        last.Dequeue();
                    }

                    last.Enqueue(line);
                }

                return $"(from {logFile}){Environment.NewLine}{Lines(last)}";
            }
            catch (IOException)
            {
                return $"(no output in {logFile})";
            }
        }
    }

    private sealed partial class ForwardedOutput : ServiceOutput
    {
        private readonly Queue<string> _lastLines = new(KeptLines);
        private readonly ILogger _logger;
        private readonly string _name;

        public ForwardedOutput(Process process, string name, ILogger logger)
        {
            _logger = logger;
            _name = name;
            process.OutputDataReceived += (_, e) => Receive(e.Data, isError: false);
            process.ErrorDataReceived += (_, e) => Receive(e.Data, isError: true);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public override string Tail()
        {
            lock (_lastLines)
            {
                return Lines(_lastLines);
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
}

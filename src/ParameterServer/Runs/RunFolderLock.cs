namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// An exclusive lock on a run folder (<see cref="FileName"/>, held open without sharing: an advisory <c>flock</c> on
/// Linux), so two parameter servers never write one run. A server that starts while another still holds the folder
/// (for example one that is writing its final checkpoint after a restart request) waits for it up to a limit.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file in the run folder.</summary>
    public const string FileName = "parameter-server.lock";

    private static readonly TimeSpan _retryInterval = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _file;

    private RunFolderLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="folder"/>, waiting up to <paramref name="wait"/> for another holder.</summary>
    /// <exception cref="InvalidOperationException">Another process (or server) still holds the folder after the wait.</exception>
    public static RunFolderLock Acquire(string folder, TimeSpan wait)
    {
        var path = Path.Combine(folder, FileName);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                file.SetLength(0);
                using (var writer = new StreamWriter(file, leaveOpen: true))
                {
                    writer.Write($"{Environment.ProcessId}\n");
                }

                file.Flush();
                return new RunFolderLock(file);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(_retryInterval);
            }
            catch (IOException exception)
            {
                throw new InvalidOperationException(
                    $"The run folder {folder} is in use by another parameter server ({FileName} is locked); waited {wait.TotalSeconds:F0} s.", exception);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}

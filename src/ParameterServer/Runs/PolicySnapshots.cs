using System.Globalization;

namespace A3cGrpc.ParameterServer.Runs;

/// <summary>
/// The policy snapshots of the run folder (<c>snapshots/policy-v&lt;version&gt;.a3c</c>): a copy of each checkpoint,
/// so that <c>Act</c> can pin a version. Only the newest <c>SnapshotsToKeep</c> are kept. Snapshots newer than the
/// checkpoint a run resumes from are deleted (those versions are about to be numbered again). Thread-safe.
/// </summary>
public sealed class PolicySnapshots
{
    private const string Prefix = "policy-v";
    private const string Extension = ".a3c";

    private readonly Lock _gate = new();
    private readonly SortedSet<long> _versions = [];
    private readonly string _directory;
    private readonly int _keep;

    /// <summary>Reads the snapshots folder of <paramref name="setup"/>'s run, keeping versions up to <paramref name="run"/>'s.</summary>
    public PolicySnapshots(RunSetup setup, LoadedRun run)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(run);
        _directory = setup.SnapshotsDirectory;
        _keep = setup.Server.SnapshotsToKeep;
        Directory.CreateDirectory(_directory);
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.'))
            {
                File.Delete(file); // a copy torn by a crash
            }
            else if (TryParseVersion(name, out var version))
            {
                if (version > run.Totals.Version)
                {
                    File.Delete(file);
                }
                else
                {
                    _versions.Add(version);
                }
            }
        }

        lock (_gate)
        {
            PruneLocked();
        }
    }

    /// <summary>The versions that can be pinned, oldest first.</summary>
    public IReadOnlyList<long> Versions
    {
        get
        {
            lock (_gate)
            {
                return [.. _versions];
            }
        }
    }

    /// <summary>True when a snapshot of <paramref name="version"/> is kept.</summary>
    public bool Contains(long version)
    {
        lock (_gate)
        {
            return _versions.Contains(version);
        }
    }

    /// <summary>The file of <paramref name="version"/>'s snapshot.</summary>
    public string PathOf(long version) =>
        Path.Combine(_directory, Prefix + version.ToString("D12", CultureInfo.InvariantCulture) + Extension);

    /// <summary>
    /// Keeps a copy of the checkpoint at <paramref name="checkpointPath"/> (of <paramref name="version"/>) as that
    /// version's snapshot (copied to a temporary file, then renamed), and deletes the oldest beyond the limit.
    /// </summary>
    public void Add(string checkpointPath, long version)
    {
        lock (_gate)
        {
            if (_versions.Contains(version))
            {
                return;
            }

            var target = PathOf(version);
            var temporary = Path.Combine(_directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            try
            {
                File.Copy(checkpointPath, temporary);
                File.Move(temporary, target, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            _versions.Add(version);
            PruneLocked();
        }
    }

    private void PruneLocked()
    {
        while (_versions.Count > _keep)
        {
            var oldest = _versions.Min;
            File.Delete(PathOf(oldest));
            _versions.Remove(oldest);
        }
    }

    private static bool TryParseVersion(string fileName, out long version)
    {
        version = 0;
        return fileName.StartsWith(Prefix, StringComparison.Ordinal)
            && fileName.EndsWith(Extension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version > 0;
    }
}

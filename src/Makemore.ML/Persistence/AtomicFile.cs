namespace Makemore.ML.Persistence;

/// <summary>
/// Writes files so that nothing is lost: the bytes go to a temporary file in the same folder, are flushed to disk,
/// then renamed over the target in one step. A reader of the old file keeps reading the old file; a failure or a kill
/// mid-write leaves the old file as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is a folder.</exception>
    /// <exception cref="IOException">The folder cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        if (NamesAFolder(path) || Directory.Exists(full))
            throw new ArgumentException($"Cannot write {path}: it is a folder; give a file name.", nameof(path));
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes text atomically (UTF-8, no byte-order mark).</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>
    /// Checks, before any long work, that <paramref name="path"/> could be written, and creates nothing: the path must name
    /// a file (not an existing folder, not a path ending in a separator), every existing folder on the way must be a folder,
    /// and the nearest existing one must take a new file (a temporary file is created there and deleted at once). A missing
    /// folder is left to <see cref="Write"/>, which creates it when it saves: a run that fails before saving leaves nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The path is a folder.</exception>
    /// <exception cref="UnauthorizedAccessException">A part of the path is a file, or the folder cannot be written or created.</exception>
    public static void EnsureWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (NamesAFolder(path) || Directory.Exists(full))
            throw new ArgumentException($"Cannot write {path}: it is a folder; give a file name.", nameof(path));
        string folder = Path.GetDirectoryName(full)!;
        string existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new UnauthorizedAccessException($"Cannot write {path}: {existing} is a file, not a folder.");
            // A root that does not exist (a missing drive) has no parent: nothing can create it.
            existing = Path.GetDirectoryName(existing) ?? throw new UnauthorizedAccessException($"Cannot write {path}: {existing} does not exist.");
        }
        string probe = Path.Combine(existing, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.probe");
        try
        {
            using var _ = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // The probe's own name in the message would only puzzle: name the folder, and the reason without the probe.
            // /proc, for one, answers a new file with "not found", even to root.
            string reason = e switch
            {
                UnauthorizedAccessException => "permission denied",
                FileNotFoundException or DirectoryNotFoundException => "it takes no new files",
                _ => e.Message.Replace($"'{probe}'", "", StringComparison.Ordinal).TrimEnd(' ', ':', '.'),
            };
            throw new UnauthorizedAccessException(existing == folder
                ? $"Cannot write {path}: the folder {folder} is not writable ({reason})."
                : $"Cannot write {path}: the folder {folder} does not exist and cannot be created in {existing} ({reason}).", e);
        }
    }

    // "out/" or "out\" asks for a folder even when none exists yet; writing it would fail only at the rename, after the work.
    private static bool NamesAFolder(string path) => path[^1] is '/' or '\\';

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

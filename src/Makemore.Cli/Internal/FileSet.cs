using System.Text;

namespace Makemore.Cli.Internal;

/// <summary>
/// Writes files that belong together (split's train.txt, dev.txt, test.txt) so that a failure leaves the old set, not a
/// new train.txt beside an old dev.txt and test.txt: every file is written and flushed into a fresh folder beside the
/// targets (same file system), and only then renamed into place.
/// </summary>
internal static class FileSet
{
    /// <summary>Replaces the files <paramref name="files"/> name in <paramref name="folder"/> (created if missing) with their texts (UTF-8).</summary>
    public static void Write(string folder, IReadOnlyList<(string Name, string Text)> files) => Write(folder, files, WriteText);

    /// <summary>As <see cref="Write(string, IReadOnlyList{ValueTuple{string, string}})"/>, each file's bytes written by <paramref name="write"/>.</summary>
    /// <param name="folder">Where the files go.</param>
    /// <param name="files">File names (no folder) and their texts.</param>
    /// <param name="write">Writes one text to a file's stream; tests pass one that fails, as a full disk does.</param>
    internal static void Write(string folder, IReadOnlyList<(string Name, string Text)> files, Action<Stream, string> write)
    {
        Directory.CreateDirectory(folder);
        string staging = Path.Combine(folder, $".makemore-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        var placed = new List<(string Target, string? Old)>();
        try
        {
            foreach (var (name, text) in files)
            {
                using var stream = new FileStream(Path.Combine(staging, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                write(stream, text);
                stream.Flush(flushToDisk: true);
            }
            // A rename needs no space, so a full disk has stopped the set before here. A rename that fails anyway (a target
            // turned into a folder meanwhile) puts back the files already replaced, from the links File.Replace keeps of them.
            // Only a crash between two renames (microseconds) can still leave a mixed set.
            foreach (var (name, _) in files)
            {
                string target = Path.Combine(folder, name);
                string staged = Path.Combine(staging, name);
                if (File.Exists(target))
                {
                    string old = Path.Combine(staging, name + ".old");
                    File.Replace(staged, target, old);
                    placed.Add((target, old));
                }
                else
                {
                    File.Move(staged, target);
                    placed.Add((target, null));
                }
            }
        }
        catch
        {
            foreach (var (target, old) in Enumerable.Reverse(placed))
                Restore(target, old);
            throw;
        }
        finally
        {
            DeleteStaging(staging);
        }
    }

    private static void WriteText(Stream stream, string text)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        writer.Write(text);
    }

    // Best effort while another error is on its way to the user: that error, not this one, says what went wrong.
    private static void Restore(string target, string? old)
    {
        try
        {
            if (old is null)
                File.Delete(target);
            else
                File.Move(old, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void DeleteStaging(string staging)
    {
        try
        {
            Directory.Delete(staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

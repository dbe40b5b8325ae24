using Makemore.ML.Persistence;

namespace Makemore.Cli.Internal;

/// <summary>
/// The one rule for every file a command writes, checked before any work: the output is not one of the command's inputs
/// (`train -i names.txt -o names.txt` replaced the names with a zip), and it can be written (<see cref="AtomicFile.EnsureWritable"/>:
/// not a folder, its folder writable or creatable). A refusal is a <see cref="UsageException"/> or the one-line
/// "Cannot write …" of <see cref="AtomicFile"/>: exit 2.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Refuses an output that is one of <paramref name="inputs"/>, or that cannot be written.</summary>
    /// <param name="flag">The output's flag, as the user typed it (<c>--output</c>, <c>--checkpoint</c>, <c>--plot</c>).</param>
    /// <param name="output">The file the command will write.</param>
    /// <param name="inputs">The files the command reads, each with its flag; a null path (an option not given) is skipped.</param>
    public static void Check(string flag, string output, params IEnumerable<(string Flag, string? Path)> inputs)
    {
        foreach (var (inputFlag, input) in inputs)
            if (input is not null && SameFile(output, input))
                throw new UsageException($"{flag} {output} is the input file {input} ({inputFlag}); choose another output");
        AtomicFile.EnsureWritable(output);
    }

    /// <summary>Refuses two outputs of one command that are the same file: the later write would replace the earlier.</summary>
    public static void Apart((string Flag, string? Path) first, (string Flag, string? Path) second)
    {
        if (first.Path is not null && second.Path is not null && SameFile(first.Path, second.Path))
            throw new UsageException($"{first.Flag} {first.Path} is also the {second.Flag} file {second.Path}; choose another output");
    }

    /// <summary>
    /// True when both paths name one file: the same full path once every symbolic link on the way is followed. Hard links
    /// are not detected: .NET exposes no inode number without a platform call, and a second name made with <c>ln</c> is
    /// rare enough that symbolic links and full paths cover the mistakes seen (the same name, <c>./x</c>, a link).
    /// </summary>
    public static bool SameFile(string first, string second) =>
        string.Equals(Resolve(first), Resolve(second), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    // The full path with each existing symbolic link followed, parents first: ResolveLinkTarget follows the last part only.
    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is not { } parent)
            return full; // a root
        string here = Path.Combine(Resolve(parent), Path.GetFileName(full));
        try
        {
            var info = new FileInfo(here);
            return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? Resolve(target.FullName) : here;
        }
        catch (IOException)
        {
            return here; // a loop of links: the read or the write will report it
        }
    }
}

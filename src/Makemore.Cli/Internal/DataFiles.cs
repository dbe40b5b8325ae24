using Makemore.ML.Data;

namespace Makemore.Cli.Internal;

/// <summary>Finds and reads the names a command works on.</summary>
internal static class DataFiles
{
    /// <summary>The file given with -i, or the bundled data/names.txt of the repository the command runs in.</summary>
    public static string Resolve(string? input)
    {
        if (input is not null)
            return File.Exists(input) ? input
                : Directory.Exists(input) ? throw new UsageException($"{input} is a folder: give a text file with one name per line")
                : throw new UsageException($"no such file: {input}");
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", "names.txt");
                if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Makemore.ML.sln")))
                    return candidate;
            }
        throw new UsageException("no input file: give one with -i FILE (the bundled data/names.txt was not found)");
    }

    /// <summary>
    /// Identifies a data file for <c>TrainingOptions.DataFingerprint</c>: its name and the SHA-256 of its bytes, e.g.
    /// <c>names.txt sha256:1a2b…</c>, so that a checkpoint is resumed only on the file it was written on.
    /// </summary>
    /// <remarks>Read from the run's provenance, whose SHA-256 is the file's: the file is not read again.</remarks>
    public static string Fingerprint(DataProvenance data) => $"{Path.GetFileName(data.File)} sha256:{data.Sha256}";

    /// <summary>The 1-based line of <paramref name="path"/> that holds the first name longer than <paramref name="length"/> characters (lines are trimmed, as names are read), or null.</summary>
    public static int? FirstLineLongerThan(string path, int length)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length > length)
                return number;
        }
        return null;
    }

    public static IReadOnlyList<string> Read(string path) => Read(path, p => NameList.Read(p));

    /// <summary><see cref="Read(string)"/> into one buffer, not a string per name (for <c>makemore train</c>, which holds them through the fit).</summary>
    public static NameBuffer ReadBuffer(string path) => Read(path, p => NameList.ReadBuffer(p));

    private static T Read<T>(string path, Func<string, T> read)
        where T : IReadOnlyList<string>
    {
        try
        {
            var names = read(path);
            return names.Count > 0 ? names : throw new UsageException($"{path} has no names: it is empty or every line is blank");
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Splits names and picks the parts a command reports, in order.</summary>
    public static IReadOnlyList<(string Part, IReadOnlyList<string> Names)> Parts(IReadOnlyList<string> names, SplitProtocol protocol, int seed)
    {
        if (protocol == SplitProtocol.None)
            return [("all", names)];
        var split = NameSplitter.Split(names, protocol, seed);
        return [("train", split.Train), ("dev", split.Dev), ("test", split.Test)];
    }

    /// <summary><see cref="Parts(IReadOnlyList{string}, SplitProtocol, int)"/> of names in one buffer: each part in a buffer of its own.</summary>
    public static IReadOnlyList<(string Part, IReadOnlyList<string> Names)> Parts(NameBuffer names, SplitProtocol protocol, int seed)
    {
        if (protocol == SplitProtocol.None)
            return [("all", names)];
        var split = NameSplitter.Split(names, protocol, seed);
        return [("train", split.Train), ("dev", split.Dev), ("test", split.Test)];
    }

    public static SplitProtocol ParseSplit(string text) =>
        DataProvenance.ParseSplit(text) ?? throw new UsageException($"unknown split '{text}': use lecture, random, none or makemore-py");
}

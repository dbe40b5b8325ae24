using Makemore.ML.Data;

namespace Makemore.Examples.Lecture;

/// <summary>What every chapter and exercise runs on.</summary>
public sealed record LectureSettings
{
    /// <summary>How many names <see cref="Tiny"/> keeps (the first ones of the file).</summary>
    public const int TinyNameCount = 2000;

    /// <summary>The names file, one name per line. The lecture's figures need makemore's original 32,033-name file.</summary>
    public required string NamesPath { get; init; }

    /// <summary>Shrinks the work for tests: the first <see cref="TinyNameCount"/> names and far fewer gradient steps.</summary>
    public bool Tiny { get; init; }

    /// <summary>The repository's bundled data/names.txt, found by walking up from the current directory to Makemore.ML.sln.</summary>
    public static LectureSettings Default() => new() { NamesPath = Path.Combine(FindRepository(), "data", "names.txt") };

    /// <summary>The lecture's <c>words = open('names.txt', 'r').read().splitlines()</c> (a subset when <see cref="Tiny"/>).</summary>
    public IReadOnlyList<string> LoadWords()
    {
        var words = NameList.Read(NamesPath);
        return Tiny ? words.Take(TinyNameCount).ToList() : words;
    }

    /// <summary>Gradient steps: <paramref name="full"/> normally, <paramref name="tiny"/> when <see cref="Tiny"/>.</summary>
    public int Steps(int full, int tiny) => Tiny ? tiny : full;

    private static string FindRepository()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Makemore.ML.sln")))
                    return dir.FullName;
        throw new DirectoryNotFoundException("Makemore.ML.sln not found above the current directory: run from inside the repository, or give --data PATH.");
    }
}

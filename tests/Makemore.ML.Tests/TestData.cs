using Makemore.ML.Data;

namespace Makemore.ML.Tests;

/// <summary>Where the tests find their data.</summary>
internal static class TestData
{
    private static readonly Lazy<IReadOnlyList<string>?> Original = new(() =>
        FindUp(Path.Combine("shared", "data", "names.txt"), Path.Combine("..", "shared", "data", "names.txt")) is { } path ? NameList.Read(path) : null);

    /// <summary>
    /// The exact 32,033-name file of the original makemore (shared/data/names.txt beside the repository),
    /// or an inconclusive result when it is absent: figures from the lecture need that exact file.
    /// </summary>
    public static IReadOnlyList<string> OriginalNamesOrInconclusive() =>
        Original.Value ?? throw new AssertInconclusiveException("shared/data/names.txt (the original makemore names) is not beside the repository; lecture figures cannot be checked.");

    /// <summary>The path of the original names file, or inconclusive.</summary>
    public static string OriginalNamesPathOrInconclusive() =>
        FindUp(Path.Combine("shared", "data", "names.txt"), Path.Combine("..", "shared", "data", "names.txt"))
        ?? throw new AssertInconclusiveException("shared/data/names.txt is not beside the repository.");

    /// <summary>The repository's bundled data/names.txt.</summary>
    public static string BundledNamesPath =>
        FindUp(Path.Combine("data", "names.txt")) ?? throw new FileNotFoundException("data/names.txt not found above the test directory.");

    /// <summary>The names of the repository's bundled data/names.txt, read as <c>LoadNames</c> reads them.</summary>
    public static IReadOnlyList<string> BundledNames() => NameList.Read(BundledNamesPath);

    /// <summary>The repository root (the folder with Makemore.ML.sln).</summary>
    public static string RepositoryRoot =>
        Path.GetDirectoryName(FindUp("Makemore.ML.sln") ?? throw new FileNotFoundException("Makemore.ML.sln not found above the test directory."))!;

    /// <summary>A small corpus for fast unit tests.</summary>
    public static readonly string[] Tiny = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella", "anna", "liam"];

    private static string? FindUp(params string[] relatives)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            foreach (string relative in relatives)
            {
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, relative));
                if (File.Exists(candidate))
                    return candidate;
            }
        return null;
    }
}

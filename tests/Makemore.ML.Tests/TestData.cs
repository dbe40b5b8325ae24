using Makemore.ML.Data;

namespace Makemore.ML.Tests;

/// <summary>Where the tests find their data.</summary>
internal static class TestData
{
    // The repository lives at <root>/main with the shared data at <root>/shared; a clone elsewhere may have shared/ beside it.
    private static readonly string[] OriginalRelatives = [Path.Combine("shared", "data", "names.txt"), Path.Combine("..", "shared", "data", "names.txt")];

    private static readonly Lazy<IReadOnlyList<string>?> Original = new(() => FindUp(OriginalRelatives) is { } path ? NameList.Read(path) : null);

    /// <summary>
    /// The exact 32,033-name file of the original makemore (shared/data/names.txt beside the repository), or, when it is
    /// absent, an inconclusive result (a failure in CI, see <see cref="Missing"/>): figures from the lecture need that exact file.
    /// </summary>
    public static IReadOnlyList<string> OriginalNamesOrInconclusive() => Original.Value ?? throw MissingOriginalNames();

    /// <summary>The path of the original names file, or inconclusive (a failure in CI).</summary>
    public static string OriginalNamesPathOrInconclusive() => FindUp(OriginalRelatives) ?? throw MissingOriginalNames();

    /// <summary>
    /// Data a test needs is absent: inconclusive on a developer's machine, a failure when the environment variable <c>CI</c>
    /// is set (any non-empty value), so that a CI run without the data is red rather than green with the checks skipped.
    /// </summary>
    /// <param name="what">What is missing and what it is for.</param>
    /// <param name="where">Where it was looked for.</param>
    public static Exception Missing(string what, string where) =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            ? new AssertInconclusiveException($"{what} was not found (looked for {where}).")
            : new AssertFailedException($"{what} is required in CI (the CI environment variable is set) and was not found (looked for {where}).");

    private static Exception MissingOriginalNames() =>
        Missing("shared/data/names.txt (the original makemore names, for the lecture figures)",
            $"{string.Join(" and ", OriginalRelatives)} in {AppContext.BaseDirectory} and every folder above it");

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

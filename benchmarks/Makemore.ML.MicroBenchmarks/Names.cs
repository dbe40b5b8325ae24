using Makemore.ML.Data;

namespace Makemore.ML.MicroBenchmarks;

/// <summary>
/// The names the benchmarks use: MAKEMORE_NAMES, else the lecture's file beside the repository
/// (../shared/data/names.txt), else the bundled data/names.txt, found by walking up from the working directory and
/// from the program (BenchmarkDotNet runs each benchmark in a child process in its own folder).
/// </summary>
public static class Names
{
    private static readonly Lazy<IReadOnlyList<string>> All = new(() => NameList.Read(Path()));

    /// <summary>Every name of the file.</summary>
    public static IReadOnlyList<string> List => All.Value;

    private static string Path()
    {
        if (Environment.GetEnvironmentVariable("MAKEMORE_NAMES") is { Length: > 0 } given)
            return given;
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            foreach (string relative in new[] { "../shared/data/names.txt", "data/names.txt" })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = System.IO.Path.Combine(dir.FullName, relative);
                    if (File.Exists(candidate))
                        return System.IO.Path.GetFullPath(candidate);
                }
        throw new FileNotFoundException("names.txt not found; set MAKEMORE_NAMES to its path.");
    }
}

using System.Globalization;

namespace Makemore.Examples.Lecture;

/// <summary>One chapter or exercise: its short name (<c>c01</c>, <c>e03</c>), its title and what it runs.</summary>
public sealed record LecturePart(string Name, string Title, Action<LectureSettings, TextWriter> Run)
{
    /// <summary>The class that holds it, e.g. <c>C01_ExploringTheData</c>.</summary>
    public string ClassName => Run.Method.DeclaringType!.Name;
}

/// <summary><c>dotnet run --project examples/Lecture -- list|all|&lt;name&gt; [--data PATH] [--tiny]</c>.</summary>
public static class Program
{
    /// <summary>The video's chapters in order, then the exercises.</summary>
    public static readonly IReadOnlyList<LecturePart> Parts =
    [
        new("c01", "Exploring the data", C01_ExploringTheData.Run),
        new("c02", "Counting bigrams in a dictionary", C02_BigramsInADictionary.Run),
        new("c03", "Counting bigrams in a 2-D array", C03_CountsInAMatrix.Run),
        new("c04", "One '.' token for start and end", C04_TheDotToken.Run),
        new("c05", "Sampling from the counts", C05_SamplingFromTheCounts.Run),
        new("c06", "Vectorised normalisation and broadcasting", C06_Broadcasting.Run),
        new("c07", "The loss: log-likelihood and its negative mean", C07_TheLoss.Run),
        new("c08", "Smoothing with fake counts", C08_Smoothing.Run),
        new("c09", "The neural net: one-hot, logits, softmax, gradient descent", C09_TheNeuralNet.Run),
        new("c10", "Sampling from the neural net", C10_SamplingFromTheNet.Run),
        new("e01", "E01: trigram, counted and neural", E01_Trigram.Run),
        new("e02", "E02: train / dev / test split", E02_Splits.Run),
        new("e03", "E03: tune the smoothing on dev", E03_TuneSmoothing.Run),
        new("e04", "E04: indexing instead of one-hot", E04_IndexingInsteadOfOneHot.Run),
        new("e05", "E05: cross_entropy instead of the hand-written softmax", E05_CrossEntropy.Run),
        new("e06", "E06 (ours): flag implausible sign-up names in an ML.NET app", E06_ImplausibleNames.Run),
    ];

    /// <summary>Finds a part by short name (<c>c05</c>) or class name (<c>C05_SamplingFromTheCounts</c>), ignoring case.</summary>
    public static LecturePart? Find(string name) =>
        Parts.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(p.ClassName, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Runs one part with the invariant culture (the expected outputs are written with it).</summary>
    public static void Run(LecturePart part, LectureSettings settings, TextWriter output)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            part.Run(settings, output);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>Entry point; returns 0, or 2 for a usage error.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The command line, in process: <c>list</c>, <c>all</c> or a part's name, then <c>--data PATH</c> and <c>--tiny</c>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? command = null, data = null;
        bool tiny = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                case "--tiny":
                    tiny = true;
                    break;
                case var a when !a.StartsWith("--", StringComparison.Ordinal) && command is null:
                    command = a;
                    break;
                default:
                    return Usage(error, $"unexpected argument '{args[i]}'");
            }
        }
        if (command is null or "list")
        {
            foreach (var part in Parts)
                output.WriteLine($"{part.Name}  {part.ClassName,-30} {part.Title}");
            return 0;
        }

        var selected = command == "all" ? Parts : Find(command) is { } found ? [found] : null;
        if (selected is null)
            return Usage(error, $"no chapter or exercise named '{command}'");
        var settings = data is null ? LectureSettings.Default() with { Tiny = tiny } : new LectureSettings { NamesPath = data, Tiny = tiny };
        foreach (var part in selected)
        {
            output.WriteLine($"=== {part.Name}: {part.Title} ===");
            Run(part, settings, output);
            output.WriteLine();
        }
        return 0;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine($"lecture: {problem}.");
        error.WriteLine("usage: dotnet run --project examples/Lecture -- list|all|<name> [--data PATH] [--tiny]");
        return 2;
    }
}

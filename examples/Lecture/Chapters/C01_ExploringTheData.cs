namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 1: read the names, one per line, and look at them: how many, how short, how long.
/// <c>words = open('names.txt', 'r').read().splitlines()</c>.
/// </summary>
public static class C01_ExploringTheData
{
    /// <summary>Prints the first names, the count, the shortest and longest lengths, and the characters used.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords(); // NameList.Read: trimmed lines, blank lines skipped

        output.WriteLine($"words[:10]       {string.Join(" ", words.Take(10))}");
        output.WriteLine($"len(words)       {words.Count}");
        int shortest = words.Min(w => w.Length), longest = words.Max(w => w.Length);
        output.WriteLine($"min(len(w))      {shortest}   e.g. {words.First(w => w.Length == shortest)}");
        output.WriteLine($"max(len(w))      {longest}  e.g. {words.First(w => w.Length == longest)}");
        output.WriteLine($"distinct names   {words.Distinct().Count()}");
        output.WriteLine($"characters       {string.Concat(words.SelectMany(w => w).Distinct().Order())}");

        // Each name packs several examples: in "isabella", i is likely first, s after i, a after isabell, and after
        // "isabella" the name is likely to end. The bigram model only ever looks at one character to predict the next.
        output.WriteLine($"bigram events    {words.Sum(w => w.Length + 1)} (one per character plus one end per name)");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c01 --data ../shared/data/names.txt`):
// words[:10]       emma olivia ava isabella sophia charlotte mia amelia harper evelyn
// len(words)       32033
// min(len(w))      2   e.g. an
// max(len(w))      15  e.g. muhammadibrahim
// distinct names   29494
// characters       abcdefghijklmnopqrstuvwxyz
// bigram events    228146 (one per character plus one end per name)

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 2: count every bigram (pair of consecutive characters) in a dictionary, with <c>&lt;S&gt;</c> and
/// <c>&lt;E&gt;</c> marking where a name starts and ends, as the lecture first does.
/// </summary>
public static class C02_BigramsInADictionary
{
    /// <summary>Prints the ten most frequent bigrams and how many there are.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();

        // b = {}
        // for w in words:
        //     chs = ['<S>'] + list(w) + ['<E>']
        //     for ch1, ch2 in zip(chs, chs[1:]):
        //         b[(ch1, ch2)] = b.get((ch1, ch2), 0) + 1
        var b = new Dictionary<(string, string), int>();
        foreach (string w in words)
        {
            string[] chs = ["<S>", .. w.Select(c => c.ToString()), "<E>"];
            foreach (var (ch1, ch2) in chs.Zip(chs.Skip(1)))
                b[(ch1, ch2)] = b.GetValueOrDefault((ch1, ch2)) + 1;
        }

        output.WriteLine($"{b.Values.Sum()} bigrams, {b.Count} distinct");
        // sorted(b.items(), key=lambda kv: -kv[1]): a stable sort, like Python's, so ties keep first-seen order.
        foreach (var ((ch1, ch2), count) in b.OrderByDescending(kv => kv.Value).Take(10))
            output.WriteLine($"(('{ch1}', '{ch2}'), {count})");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c02 --data ../shared/data/names.txt`):
// 228146 bigrams, 627 distinct
// (('n', '<E>'), 6763)
// (('a', '<E>'), 6640)
// (('a', 'n'), 5438)
// (('<S>', 'a'), 4410)
// (('e', '<E>'), 3983)
// (('a', 'r'), 3264)
// (('e', 'l'), 3248)
// (('r', 'i'), 3033)
// (('n', 'a'), 2977)
// (('<S>', 'k'), 2963)

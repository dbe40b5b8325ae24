namespace Makemore.ML.Text;

/// <summary>"Did you mean …?": the known name nearest to a mistyped one.</summary>
internal static class Suggestions
{
    /// <summary>The candidate with the fewest edits from <paramref name="typed"/>, if it is close enough to be a typo, else null.</summary>
    /// <remarks>Close enough: at most a third of the typed length in edits, and at least 2 allowed ('trian' → 'train' is 1).</remarks>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        int allowed = Math.Max(2, typed.Length / 3);
        return candidates
            .Select(c => (Name: c, Distance: EditDistance(typed, c)))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>
    /// Insertions, deletions, substitutions and swaps of two neighbours needed to turn <paramref name="a"/> into <paramref name="b"/>
    /// (optimal string alignment distance), ignoring case.
    /// </summary>
    public static int EditDistance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + substitution);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}

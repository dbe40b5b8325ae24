namespace Makemore.ML.Tests.Inference;

/// <summary>
/// Strings that are not names, to measure how well a plausibility score separates real names from them (shared by the
/// tests and the <c>names</c> benchmark). Lengths follow a given list of real names, so length alone tells nothing.
/// </summary>
internal static class Impostors
{
    /// <summary>The three letter rows of a QWERTY keyboard, top to bottom.</summary>
    public static readonly string[] QwertyRows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

    /// <summary>Uniformly random letters a–z, one string per length drawn (with replacement) from <paramref name="lengthsOf"/>.</summary>
    public static List<string> RandomStrings(IReadOnlyList<string> lengthsOf, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => new string(Enumerable.Range(0, lengthsOf[random.Next(lengthsOf.Count)].Length).Select(_ => (char)('a' + random.Next(26))).ToArray()))
            .ToList();
    }

    /// <summary>
    /// Keyboard mash, by this rule: start on a random key of a random QWERTY letter row; each next key is the same key,
    /// its left or its right neighbour on the row (each 1/3, staying inside the row), or, with probability 0.2 instead,
    /// the key at the same position on an adjacent row (clamped to that row's length). One string per length drawn
    /// (with replacement) from <paramref name="lengthsOf"/>.
    /// </summary>
    public static List<string> KeyboardMash(IReadOnlyList<string> lengthsOf, int count, int seed)
    {
        var random = new Random(seed);
        var result = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int length = lengthsOf[random.Next(lengthsOf.Count)].Length;
            int row = random.Next(QwertyRows.Length);
            int column = random.Next(QwertyRows[row].Length);
            var chars = new char[length];
            for (int k = 0; k < length; k++)
            {
                chars[k] = QwertyRows[row][column];
                if (random.NextDouble() < 0.2)
                {
                    row = row == 0 ? 1 : row == QwertyRows.Length - 1 ? row - 1 : row + (random.Next(2) == 0 ? -1 : 1);
                    column = Math.Min(column, QwertyRows[row].Length - 1);
                }
                else
                    column = Math.Clamp(column + random.Next(3) - 1, 0, QwertyRows[row].Length - 1);
            }
            result.Add(new string(chars));
        }
        return result;
    }

    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores higher than a random negative, ties
    /// counting one half (the Mann–Whitney U statistic over |P|·|N|).
    /// </summary>
    public static double Auc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        var all = positives.Select(s => (Score: s, Positive: true)).Concat(negatives.Select(s => (Score: s, Positive: false)))
            .OrderBy(x => x.Score).ToArray();
        double rankSum = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j < all.Length && all[j].Score.Equals(all[i].Score))
                j++;
            double midRank = (i + 1 + j) / 2.0; // ranks i+1 … j share their mean
            for (int k = i; k < j; k++)
                if (all[k].Positive)
                    rankSum += midRank;
            i = j;
        }
        double u = rankSum - positives.Count * (positives.Count + 1) / 2.0;
        return u / ((double)positives.Count * negatives.Count);
    }
}

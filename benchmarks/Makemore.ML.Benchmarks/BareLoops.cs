using Makemore.ML.Counting;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// The limits: what this machine does with the same numbers in a bare C# loop (no façade, no interface, no allocation
/// beyond the output). Each takes its tables from our model, so it computes the same log-probabilities.
/// </summary>
internal static class BareLoops
{
    /// <summary>Keeps results alive so the JIT cannot drop the loops.</summary>
    public static double Sink;

    /// <summary>A char → id array (−1: not in the vocabulary) covering every character of the vocabulary.</summary>
    public static int[] CharIds(CharacterVocabulary vocabulary)
    {
        var ids = new int[vocabulary.Symbols.Max() + 1];
        Array.Fill(ids, -1);
        for (int i = 0; i < vocabulary.Size; i++)
            ids[vocabulary.SymbolOf(i)] = i;
        return ids;
    }

    /// <summary>The bigram's dense V×V table of log p(next | previous), read from the model.</summary>
    public static double[] BigramLogTable(NGramModel model)
    {
        int v = model.Vocabulary.Size;
        var table = new double[v * v];
        ForEachRow(model, (previous, row) =>
        {
            for (int next = 0; next < v; next++)
                table[previous * v + next] = Math.Log(row[next]);
        });
        return table;
    }

    /// <summary>Sum of the names' log-likelihoods by one lookup in the dense table per character.</summary>
    public static double ScoreBigram(IReadOnlyList<string> names, int[] charIds, double[] table, int v)
    {
        double total = 0;
        foreach (string name in names)
        {
            int previous = 0;
            double sum = 0;
            foreach (char c in name)
            {
                int id = charIds[c];
                sum += table[previous * v + id];
                previous = id;
            }
            total += sum + table[previous * v];
        }
        return total;
    }

    /// <summary>
    /// log p of every (context, next) window of the given names, keyed by the window's ids (5 bits each), read from the
    /// model: for names the model was fitted on every such n-gram was seen, so this is exactly a backoff table's first
    /// (and only) lookup.
    /// </summary>
    public static Dictionary<ulong, double> WindowLogTable(NGramModel model, IReadOnlyList<string> names)
    {
        var table = new Dictionary<ulong, double>();
        int order = model.Order;
        foreach (string name in names)
        {
            int[] ids = model.Vocabulary.Encode(name);
            var logs = new double[ids.Length + 1];
            model.LogProbabilities(ids, logs);
            ulong key = 0;
            for (int i = 0; i <= ids.Length; i++)
            {
                key = Shift(key, i < ids.Length ? ids[i] : 0, order);
                table[key] = logs[i];
            }
        }
        return table;
    }

    /// <summary>The same table as text lines "n-gram TAB log p" ('.'-padded), for the plain-Python peer.</summary>
    public static void WriteWindowTable(Dictionary<ulong, double> table, CharacterVocabulary vocabulary, int order, string path)
    {
        using var writer = new StreamWriter(path);
        var chars = new char[order];
        foreach (var (key, logp) in table)
        {
            for (int i = 0; i < order; i++)
                chars[order - 1 - i] = vocabulary.SymbolOf((int)((key >> (5 * i)) & 31));
            writer.Write(chars);
            writer.Write('\t');
            writer.WriteLine(logp.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Sum of the names' log-likelihoods by one dictionary lookup per character.</summary>
    public static double ScoreWindows(IReadOnlyList<string> names, int[] charIds, Dictionary<ulong, double> table, int order)
    {
        double total = 0;
        foreach (string name in names)
        {
            ulong key = 0;
            double sum = 0;
            foreach (char c in name)
            {
                key = Shift(key, charIds[c], order);
                sum += table[key];
            }
            total += sum + table[Shift(key, 0, order)];
        }
        return total;
    }

    /// <summary>The bigram's float32 cumulative rows, normalised as PyTorch's multinomial does (last entry 1).</summary>
    public static float[] CumulativeTable(NGramModel model)
    {
        int v = model.Vocabulary.Size;
        var table = new float[v * v];
        ForEachRow(model, (previous, row) =>
        {
            float sum = 0;
            for (int next = 0; next < v; next++)
                table[previous * v + next] = sum += (float)row[next];
            for (int next = 0; next < v; next++)
                table[previous * v + next] /= sum;
            table[previous * v + v - 1] = 1f;
        });
        return table;
    }

    /// <summary>Draws names with the lecture's sampler (double uniform, first cumulative entry not below it) from the table.</summary>
    public static int Sample(int count, float[] cumulative, CharacterVocabulary vocabulary, long seed)
    {
        int v = vocabulary.Size;
        var rng = new TorchGenerator(seed);
        Span<char> buffer = stackalloc char[64];
        int characters = 0;
        for (int n = 0; n < count; n++)
        {
            int previous = 0, length = 0;
            while (length < buffer.Length)
            {
                double u = rng.NextDouble();
                var row = cumulative.AsSpan(previous * v, v);
                int lo = 0, hi = v - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) >> 1;
                    if (row[mid] < u)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo == 0)
                    break;
                buffer[length++] = vocabulary.SymbolOf(lo);
                previous = lo;
            }
            characters += new string(buffer[..length]).Length;
        }
        return characters;
    }

    /// <summary>What a bigram fit needs, by hand: the characters seen, a char → id map, the V×V counts, add-1 log p.</summary>
    public static double[] FitBigram(IReadOnlyList<string> names)
    {
        var seen = new bool[char.MaxValue + 1];
        foreach (string name in names)
            foreach (char c in name)
                seen[c] = true;
        var ids = new int[char.MaxValue + 1];
        int v = 1;
        for (int c = 0; c <= char.MaxValue; c++)
            if (seen[c])
                ids[c] = v++;
        var counts = new int[v * v];
        foreach (string name in names)
        {
            int previous = 0;
            foreach (char c in name)
            {
                int id = ids[c];
                counts[previous * v + id]++;
                previous = id;
            }
            counts[previous * v]++;
        }
        var table = new double[v * v];
        for (int previous = 0; previous < v; previous++)
        {
            double total = v;
            for (int next = 0; next < v; next++)
                total += counts[previous * v + next];
            for (int next = 0; next < v; next++)
                table[previous * v + next] = Math.Log((counts[previous * v + next] + 1) / total);
        }
        return table;
    }

    /// <summary>Counts every n-gram of the ('.'-padded) sequences in a dictionary keyed by its ids, 5 bits each.</summary>
    public static Dictionary<ulong, int> CountWindows(IReadOnlyList<int[]> sequences, int order)
    {
        var counts = new Dictionary<ulong, int>();
        foreach (int[] ids in sequences)
        {
            ulong key = 0;
            for (int i = 0; i <= ids.Length; i++)
            {
                key = Shift(key, i < ids.Length ? ids[i] : 0, order);
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;
            }
        }
        return counts;
    }

    // The bigram's next-character distribution after each previous id, from the model itself.
    private static void ForEachRow(NGramModel model, Action<int, double[]> use)
    {
        var row = new double[model.Vocabulary.Size];
        for (int previous = 0; previous < row.Length; previous++)
        {
            model.GetNextProbabilities([previous], row);
            use(previous, row);
        }
    }

    private static ulong Shift(ulong key, int id, int order) => ((key << 5) | (uint)id) & ((1UL << (5 * order)) - 1);
}

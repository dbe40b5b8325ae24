using Makemore.ML.Counting;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// A level finds its contexts through its n-grams (row bits and their ranks, no context keys): every lookup equals a
/// plain scan of the keys, for rows that cross the 64-bit words of the bits, a level of more than one range of the
/// parallel row pass, and keys between, before and after the seen ones.
/// </summary>
[TestClass]
public sealed class NGramLevelLookupTests
{
    private const int V = 7;

    [TestMethod]
    [DataRow(1, 200)]
    [DataRow(2, 5_000)]
    [DataRow(3, NGramLevel.RowsPerTask * 3 + 77)]
    public void LookupsEqualAPlainScan(int seed, int contexts)
    {
        // Contexts with gaps between them, each with 1–V symbols of a random subset: rows of every length, at every offset.
        // Context 0 holds symbol 1 alone, context 1 symbols 1 and 4: unseen symbols before, between and after the keys of
        // the first rows, one of them right after the very first key.
        var random = new Random(seed);
        var keys = new List<ulong> { 1, V + 1, V + 4 };
        ulong context = 1;
        for (int r = 2; r < contexts; r++)
        {
            context += (ulong)random.Next(1, 4);
            foreach (int c in Enumerable.Range(0, V).Where(_ => random.NextDouble() < 0.4).DefaultIfEmpty(random.Next(V)))
                keys.Add(context * V + (ulong)c);
        }
        ulong[] sorted = [.. keys];
        const double k = 0.5;
        var level = NGramLevel.AddK(V, sorted, Enumerable.Repeat(1, sorted.Length).ToArray(), k, keyBits: 40);

        // The plain answer: contexts in order of first appearance, each one's row number and first key's index.
        var rowOf = new Dictionary<ulong, (int Row, int Start)>();
        for (int i = 0; i < sorted.Length; i++)
            rowOf.TryAdd(sorted[i] / V, (rowOf.Count, i));
        Assert.AreEqual(rowOf.Count, level.ContextCount);
        CollectionAssert.AreEqual(rowOf.Keys.ToArray(), level.ContextKeys());
        // Each row's values, from its length (every count is 1): the rows were cut where the keys say.
        var lengths = sorted.GroupBy(key => key / V).ToDictionary(g => g.Key, g => g.Count());
        for (int i = 0; i < sorted.Length; i++)
            Assert.AreEqual((1 + k) / (lengths[sorted[i] / V] + k * V), level.Probabilities[i], $"p of n-gram {sorted[i]}");
        foreach (var (h, (row, _)) in rowOf)
            Assert.AreEqual(k / (lengths[h] + k * V), level.Weights[row], $"weight of context {h}");

        var index = sorted.Select((key, i) => (key, i)).ToDictionary(p => p.key, p => p.i);
        for (ulong h = 0; h <= context + 1; h++)
        {
            bool seen = rowOf.TryGetValue(h, out var expected);
            int row = level.FindContext(h, out int start);
            Assert.AreEqual(seen ? expected.Row : -1, row, $"row of context {h}");
            if (seen)
                Assert.AreEqual(expected.Start, start, $"first n-gram of context {h}");
            for (int c = 0; c < V; c++)
            {
                ulong key = h * V + (ulong)c;
                int at = level.Find(key, c, out int rowIfUnseen);
                Assert.AreEqual(index.TryGetValue(key, out int i) ? i : -1, at, $"index of n-gram {key}");
                Assert.AreEqual(at >= 0 || !seen ? -1 : expected.Row, rowIfUnseen, $"context row beside unseen n-gram {key}");
            }
        }
    }
}

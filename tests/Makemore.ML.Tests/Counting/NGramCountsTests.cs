using CsCheck;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// Counting by sorting (in chunks, merged) gives a dictionary's counts; the division and the key sort it rests on give
/// what <c>/</c>, <c>%</c> and <c>Array.Sort</c> give.
/// </summary>
[TestClass]
public sealed class NGramCountsTests
{
    // Id sequences over a vocabulary of 2–30 symbols (ids 1..V−1: 0 is the boundary), orders 1–6.
    private static readonly Gen<(int V, int Order, int[][] Sequences)> Inputs =
        from v in Gen.Int[2, 30]
        from order in Gen.Int[1, 6]
        from sequences in Gen.Int[1, v - 1].Array[0, 12].Array[0, 40]
        select (v, order, sequences);

    private static Dictionary<ulong, int> NaiveCount(int v, int order, int[][] sequences)
    {
        var counts = new Dictionary<ulong, int>();
        foreach (int[] ids in sequences)
        {
            int[] padded = [.. new int[order - 1], .. ids, 0];
            for (int i = order - 1; i < padded.Length; i++)
            {
                ulong key = 0;
                for (int k = i - (order - 1); k <= i; k++)
                    key = key * (ulong)v + (ulong)padded[k];
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        return counts;
    }

    [TestMethod]
    public void CountsAsADictionaryDoesInEveryChunking()
    {
        Inputs.Sample(input =>
        {
            var expected = NaiveCount(input.V, input.Order, input.Sequences).OrderBy(p => p.Key).ToArray();
            foreach (int chunk in new[] { 1, 5, 64, NGramCounts.ChunkEvents })
            {
                var counts = NGramCounts.Count(input.V, input.Order, input.Sequences, chunk);
                CollectionAssert.AreEqual(expected.Select(p => p.Key).ToArray(), counts.Keys, $"keys, chunks of {chunk}");
                CollectionAssert.AreEqual(expected.Select(p => p.Value).ToArray(), counts.Counts, $"counts, chunks of {chunk}");
                Assert.AreEqual(expected.Sum(p => (long)p.Value), counts.Events);
                foreach (var (key, count) in expected)
                    Assert.AreEqual(count, counts[key]);
            }
        }, iter: 150);
    }

    [TestMethod]
    public void AnIdOutsideTheVocabularyIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => NGramCounts.Count(3, 2, [[1, 2], [1, 3]]));
        StringAssert.Contains(error.Message, "Id 3 is outside the vocabulary of 3 symbols");
    }

    [TestMethod]
    public void SavedPairsInAnyOrderAreSortedAndARepeatedKeyIsRefused()
    {
        var counts = NGramCounts.FromPairs([9, 2, 5], [1, 2, 3], keyBits: 4);
        CollectionAssert.AreEqual(new ulong[] { 2, 5, 9 }, counts.Keys);
        CollectionAssert.AreEqual(new[] { 2, 3, 1 }, counts.Counts);
        var error = Assert.Throws<InvalidDataException>(() => NGramCounts.FromPairs([4, 7, 4], [1, 1, 1], keyBits: 3));
        StringAssert.Contains(error.Message, "4 is counted twice");
    }

    [TestMethod]
    public void DivisorDividesAsTheHardwareDoes()
    {
        var dividends = Gen.OneOf(Gen.ULong[0, uint.MaxValue], Gen.ULong[0, long.MaxValue], Gen.Const((ulong)uint.MaxValue), Gen.Const((ulong)uint.MaxValue + 1));
        var divisors = Gen.OneOf(Gen.ULong[1, 64], Gen.ULong[1, uint.MaxValue], Gen.ULong[1, ulong.MaxValue], Gen.Int[0, 40].Select(k => 1UL << k),
            Gen.Int[1, 6].Select(k => ContextWindow.Pow(27, k)));
        Gen.Select(dividends, divisors).Sample((n, d) =>
        {
            var divisor = new Divisor(d);
            Assert.AreEqual(n / d, divisor.Divide(n), $"{n} / {d}");
            Assert.AreEqual(n % d, divisor.Remainder(n), $"{n} % {d}");
        }, iter: 20_000);
    }

    [TestMethod]
    public void KeySortGivesArraySortsOrderAndCarriesItems()
    {
        // Both sides of the introsort cut-off; bit widths from 1 to 63 so that every pass count and digit width runs.
        var cases = from bits in Gen.Int[1, 63]
                    from keys in Gen.ULong[0, bits == 64 ? ulong.MaxValue : (1UL << bits) - 1].Array[0, 3000]
                    select (bits, keys);
        cases.Sample(c =>
        {
            ulong[] distinct = [.. c.keys.Distinct()];
            int[] items = [.. distinct.Select((_, i) => i)];
            var expectedKeys = (ulong[])distinct.Clone();
            var expectedItems = (int[])items.Clone();
            Array.Sort(expectedKeys, expectedItems);
            RadixSort.Sort(distinct, items, c.bits);
            CollectionAssert.AreEqual(expectedKeys, distinct, "keys with items");
            CollectionAssert.AreEqual(expectedItems, items, "items follow their keys");

            var alone = (ulong[])c.keys.Clone();
            var expected = (ulong[])c.keys.Clone();
            Array.Sort(expected);
            RadixSort.Sort(alone, [], c.bits);
            CollectionAssert.AreEqual(expected, alone, "keys alone, repeats included");
        }, iter: 200);
    }
}

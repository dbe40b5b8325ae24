using CsCheck;
using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Inference;

/// <summary>The plausibility table's radix sort gives what <c>Array.Sort</c> gives, on any doubles but NaN.</summary>
[TestClass]
public sealed class RadixSortTests
{
    // Ties, both zeros, infinities, subnormals and ordinary values, in lists on both sides of the introsort cut-off.
    private static readonly Gen<double> Values = Gen.OneOf(
        Gen.Double.Where(x => !double.IsNaN(x)),
        Gen.Double[0, 5],
        Gen.Int[0, 7].Select(i => new[] { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, 2.5, -2.5 }[i]));

    [TestMethod]
    public void SortsAsArraySortDoes()
    {
        Values.Array[0, 3000].Sample(values =>
        {
            var expected = (double[])values.Clone();
            Array.Sort(expected);
            var actual = RadixSort.Sort((double[])values.Clone()).ToArray();
            Assert.HasCount(expected.Length, actual);
            for (int i = 0; i < expected.Length; i++)
                Assert.IsTrue(expected[i] == actual[i] || double.IsInfinity(expected[i]) && expected[i].Equals(actual[i]), $"index {i}: {expected[i]:R} vs {actual[i]:R}");
        }, iter: 200);
    }

    [TestMethod(DisplayName = "Keys beyond the pooled scratch size (1M) sort, with their items, as Array.Sort does")]
    public void SortsKeysLongerThanThePooledScratch()
    {
        var random = new Random(7);
        var keys = new ulong[(1 << 20) + 3];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = (ulong)random.NextInt64(1L << 40);
        var items = Enumerable.Range(0, keys.Length).ToArray();
        var expected = ((ulong[])keys.Clone(), (int[])items.Clone());
        Array.Sort(expected.Item1, expected.Item2); // the keys are distinct with overwhelming probability, so the order of ties cannot show
        RadixSort.Sort(keys, items, 40);
        CollectionAssert.AreEqual(expected.Item1, keys);
        CollectionAssert.AreEqual(expected.Item2, items);
    }

    [TestMethod(DisplayName = "Keys alone beyond the pooled scratch size sort in place as Array.Sort does: few bits, many ties, all 64 bits")]
    public void SortsKeysAloneLongerThanThePooledScratchInPlace()
    {
        var random = new Random(8);
        foreach (int keyBits in new[] { 1, 9, 13, 43, 64 })
        {
            var keys = new ulong[(1 << 20) + 1000];
            for (int i = 0; i < keys.Length; i++)
                keys[i] = keyBits == 64 ? (ulong)random.NextInt64() << 1 ^ (ulong)random.Next(2) : (ulong)random.NextInt64(1L << keyBits);
            for (int i = 0; i < 5000; i++)
                keys[random.Next(keys.Length)] = keys[0]; // runs of one key, as continuation counts have
            var expected = (ulong[])keys.Clone();
            Array.Sort(expected);
            RadixSort.Sort(keys, [], keyBits);
            CollectionAssert.AreEqual(expected, keys, $"{keyBits} bits");
        }
    }

    [TestMethod]
    public void RefusesNaN()
    {
        var values = Enumerable.Range(0, 1000).Select(i => (double)i).ToArray();
        values[500] = double.NaN;
        Assert.Throws<ArgumentException>(() => RadixSort.Sort(values));
    }
}

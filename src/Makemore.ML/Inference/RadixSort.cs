namespace Makemore.ML.Inference;

/// <summary>
/// Sorts doubles (no NaN) by their bits: an LSD radix sort over 11-bit digits of the order-preserving key (sign bit set
/// for positives, every bit flipped for negatives). For the plausibility table, whose introsort of 32k NLLs was a fifth of
/// a bigram's <c>pipeline.Fit</c>. Same result as <see cref="Array.Sort(Array)"/> (−0 sorts before +0, which compare equal).
/// </summary>
internal static class RadixSort
{
    private const int DigitBits = 11; // six passes over 2,048 buckets: 16-bit digits spent more on their 65,536 counters than on 32k keys
    private const int Buckets = 1 << DigitBits;
    private const int SmallEnough = 512; // below this an introsort is as fast

    /// <summary>Sorts <paramref name="values"/> in place and returns it.</summary>
    public static Span<double> Sort(Span<double> values)
    {
        if (values.Length < SmallEnough)
        {
            values.Sort();
            return values;
        }
        var keys = new ulong[values.Length];
        var spare = new ulong[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
                throw new ArgumentException("NaN has no place in a sorted list.", nameof(values));
            ulong bits = BitConverter.DoubleToUInt64Bits(values[i]);
            keys[i] = (bits & SignBit) != 0 ? ~bits : bits | SignBit;
        }
        var counts = new int[Buckets];
        for (int shift = 0; shift < 64; shift += DigitBits)
        {
            Array.Clear(counts);
            foreach (ulong key in keys)
                counts[(int)(key >> shift) & (Buckets - 1)]++;
            if (counts[(int)(keys[0] >> shift) & (Buckets - 1)] == keys.Length)
                continue; // every key has this digit: nothing moves
            int sum = 0;
            for (int b = 0; b < Buckets; b++)
                (counts[b], sum) = (sum, sum + counts[b]);
            foreach (ulong key in keys)
                spare[counts[(int)(key >> shift) & (Buckets - 1)]++] = key;
            (keys, spare) = (spare, keys);
        }
        for (int i = 0; i < values.Length; i++)
        {
            ulong key = keys[i];
            values[i] = BitConverter.UInt64BitsToDouble((key & SignBit) != 0 ? key & ~SignBit : ~key);
        }
        return values;
    }

    private const ulong SignBit = 1UL << 63;
}

using System.Buffers;

namespace Makemore.ML.Inference;

/// <summary>
/// LSD radix sorts over digits of at most 11 bits, for the two sorts on a fit's path:
/// <list type="bullet">
/// <item>doubles (no NaN), by their order-preserving bits (sign bit set for positives, every bit flipped for negatives):
/// the plausibility table, whose introsort of 32k NLLs was a fifth of a bigram's <c>pipeline.Fit</c>. Same result as
/// <see cref="Array.Sort(Array)"/> (−0 sorts before +0, which compare equal);</item>
/// <item>n-gram keys below 2^bits, optionally carrying an int per key: the count levels, where grouping by dictionary
/// cost twice the counting itself.</item>
/// </list>
/// </summary>
internal static class RadixSort
{
    private const int DigitBits = 11; // at most: 64-bit keys take six passes over 2,048 buckets; 16-bit digits spent more on their 65,536 counters than on 32k keys
    private const int SmallEnough = 512; // below this an introsort is as fast

    // Scratch of at most this many elements comes from the shared pools; longer scratch is allocated and left to the GC,
    // because the pool keeps what it is given for the rest of the process: the continuation counts of an 8-gram fit of
    // 886k names sort 4.4M keys, whose rented 64 MB stayed in the pool through scoring and saving.
    private const int PooledLength = 1 << 20;

    /// <summary>Sorts <paramref name="values"/> in place and returns it.</summary>
    public static Span<double> Sort(Span<double> values)
    {
        if (values.Length < SmallEnough)
        {
            values.Sort();
            return values;
        }
        // The order-preserving bits, sorted as 64-bit keys by the one LSD pass loop below.
        ulong[] pooled = Scratch<ulong>(values.Length);
        Span<ulong> keys = pooled.AsSpan(0, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                Release(pooled);
                throw new ArgumentException("NaN has no place in a sorted list.", nameof(values));
            }
            ulong bits = BitConverter.DoubleToUInt64Bits(values[i]);
            keys[i] = (bits & SignBit) != 0 ? ~bits : bits | SignBit;
        }
        Sort(keys, [], 64);
        for (int i = 0; i < values.Length; i++)
        {
            ulong key = keys[i];
            values[i] = BitConverter.UInt64BitsToDouble((key & SignBit) != 0 ? key & ~SignBit : ~key);
        }
        Release(pooled);
        return values;
    }

    /// <summary>
    /// Sorts keys below 2^<paramref name="keyBits"/> ascending in place (stable), moving <c>items[i]</c> with
    /// <c>keys[i]</c> when <paramref name="items"/> is not empty. Its buffers come from the shared pools up to a
    /// million elements (a fit sorts several levels of tens of thousands of keys and must not leave large arrays behind); longer
    /// ones are allocated, so that the pool does not keep them.
    /// </summary>
    public static void Sort(Span<ulong> keys, Span<int> items, int keyBits)
    {
        bool carry = !items.IsEmpty;
        if (carry && items.Length != keys.Length)
            throw new ArgumentException($"Expected one item per key ({keys.Length}), got {items.Length}.", nameof(items));
        if ((uint)keyBits > 64)
            throw new ArgumentOutOfRangeException(nameof(keyBits), keyBits, "Keys have at most 64 bits.");
        int n = keys.Length;
        if (n < SmallEnough)
        {
            // Only ever asked with distinct keys when items are carried, where stability cannot show.
            if (carry)
                keys.Sort(items);
            else
                keys.Sort();
            return;
        }
        if (!carry && n > PooledLength)
        {
            // Keys alone, where stability cannot show, sort in place: scratch this long would be a new array each time.
            SortInPlace(keys, keyBits);
            return;
        }
        int passes = Math.Max(1, (keyBits + DigitBits - 1) / DigitBits);
        int digitBits = Math.Max(1, (keyBits + passes - 1) / passes); // e.g. 29 bits: three passes of 10
        int buckets = 1 << digitBits;
        ulong[] spareKeys = Scratch<ulong>(n);
        int[] spareItems = carry ? Scratch<int>(n) : [];
        int[] counts = ArrayPool<int>.Shared.Rent(buckets);
        Span<ulong> fromKeys = keys, toKeys = spareKeys.AsSpan(0, n);
        Span<int> fromItems = items, toItems = carry ? spareItems.AsSpan(0, n) : default;
        for (int shift = 0; shift < keyBits; shift += digitBits)
        {
            Span<int> count = counts.AsSpan(0, buckets);
            count.Clear();
            ulong mask = (ulong)buckets - 1;
            foreach (ulong key in fromKeys)
                count[(int)((key >> shift) & mask)]++;
            if (count[(int)((fromKeys[0] >> shift) & mask)] == n)
                continue; // every key has this digit: nothing moves
            int sum = 0;
            for (int b = 0; b < buckets; b++)
                (count[b], sum) = (sum, sum + count[b]);
            for (int i = 0; i < n; i++)
            {
                int at = count[(int)((fromKeys[i] >> shift) & mask)]++;
                toKeys[at] = fromKeys[i];
                if (carry)
                    toItems[at] = fromItems[i];
            }
            Span<ulong> keysSwap = fromKeys;
            fromKeys = toKeys;
            toKeys = keysSwap;
            Span<int> itemsSwap = fromItems;
            fromItems = toItems;
            toItems = itemsSwap;
        }
        if (fromKeys != keys)
        {
            fromKeys.CopyTo(keys);
            if (carry)
                fromItems.CopyTo(items);
        }
        Release(spareKeys);
        if (carry)
            Release(spareItems);
        ArrayPool<int>.Shared.Return(counts);
    }

    private const ulong SignBit = 1UL << 63;

    /// <summary>
    /// Sorts keys below 2^<paramref name="keyBits"/> in place, most significant digit first (American flag sort): each
    /// key is swapped straight into its digit's bucket, then each bucket is sorted on the bits below. No scratch, where
    /// <see cref="Sort(Span{ulong}, Span{int}, int)"/>'s passes take a copy of the keys: the continuation counts of an
    /// 8-gram model of 886k names sort 2.3M, 3.6M and 4.4M keys one after the other while its state is written, and
    /// their 82 MB of scratch were all still there, uncollected, at the peak of <c>makemore train</c>.
    /// </summary>
    private static void SortInPlace(Span<ulong> keys, int keyBits)
    {
        if (keys.Length < SmallEnough || keyBits <= 0)
        {
            keys.Sort();
            return;
        }
        int digitBits = Math.Min(DigitBits, keyBits);
        int shift = keyBits - digitBits;
        int buckets = 1 << digitBits;
        ulong mask = (ulong)buckets - 1;
        int[] rented = ArrayPool<int>.Shared.Rent(2 * buckets);
        Span<int> next = rented.AsSpan(0, buckets), end = rented.AsSpan(buckets, buckets);
        next.Clear();
        foreach (ulong key in keys)
            next[(int)((key >> shift) & mask)]++;
        int sum = 0;
        for (int b = 0; b < buckets; b++)
        {
            int count = next[b];
            next[b] = sum;
            sum += count;
            end[b] = sum;
        }
        for (int b = 0; b < buckets; b++)
            while (next[b] < end[b])
            {
                int i = next[b];
                int digit = (int)((keys[i] >> shift) & mask);
                if (digit == b)
                {
                    next[b]++;
                    continue;
                }
                int j = next[digit]++; // the key goes to its bucket for good; the one there comes here, to be placed in turn
                (keys[i], keys[j]) = (keys[j], keys[i]);
            }
        int start = 0;
        for (int b = 0; b < buckets && shift > 0; b++)
        {
            int stop = end[b];
            if (stop - start > 1)
                SortInPlace(keys[start..stop], shift);
            start = stop;
        }
        ArrayPool<int>.Shared.Return(rented);
    }

    // At least n elements: rented up to PooledLength, else allocated.
    private static T[] Scratch<T>(int n) => n <= PooledLength ? ArrayPool<T>.Shared.Rent(n) : new T[n];

    // Gives rented scratch back (an allocated one is longer than PooledLength and is left to the GC).
    private static void Release<T>(T[] scratch)
    {
        if (scratch.Length <= PooledLength)
            ArrayPool<T>.Shared.Return(scratch);
    }
}

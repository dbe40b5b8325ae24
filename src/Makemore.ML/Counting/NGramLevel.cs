namespace Makemore.ML.Counting;

/// <summary>
/// The smoothed values of one order n, as flat arrays and nothing per n-gram: the seen n-grams' keys (h·V + c, base V,
/// oldest symbol most significant) ascending with each one's probability, and per seen context h (a row: the adjacent
/// n-grams h·V … h·V + V − 1) its weight. Kneser–Ney stores the full interpolated p_n(c | h) (this order's discounted
/// share plus λ(h) times the order below) and λ(h); add-k stores (N(h c) + k) / (N(h) + k·V) and k / (N(h) + k·V), the
/// probability of a symbol never seen after h. A context is found through its n-grams: the row of the n-gram found is
/// the number of rows that start at or before it (<see cref="RowStarts"/>, about 1.5 bits an n-gram), so contexts keep
/// no keys of their own. That is 16 bytes per n-gram, 8 per context, and a directory of about half a byte per key
/// (<see cref="SortedKeys"/>).
/// </summary>
internal sealed class NGramLevel
{
    private readonly ulong _v;

    private NGramLevel(int v, SortedKeys keys, double[] probabilities, RowStarts rows, double[] weights, double[]? discounts)
    {
        _v = (ulong)v;
        Keys = keys;
        Probabilities = probabilities;
        Rows = rows;
        Weights = weights;
        Discounts = discounts;
    }

    /// <summary>The seen n-grams' keys, ascending.</summary>
    public SortedKeys Keys { get; }

    /// <summary>Per n-gram: its probability at this order (see the class remarks).</summary>
    public double[] Probabilities { get; }

    /// <summary>Which n-grams start a row (a context's first seen n-gram), with the rank that numbers the rows.</summary>
    public RowStarts Rows { get; }

    /// <summary>Per context (row), in key order: λ(h), the weight of the order below (Kneser–Ney), or the probability of an unseen next symbol (add-k).</summary>
    public double[] Weights { get; }

    /// <summary>How many contexts were seen (rows).</summary>
    public int ContextCount => Weights.Length;

    /// <summary>Kneser–Ney: D1, D2 and D3+ of this order; null for add-k.</summary>
    public double[]? Discounts { get; }

    /// <summary>Bytes held by the level's arrays.</summary>
    public long Bytes => Keys.Bytes + Rows.Bytes + 8L * (Probabilities.Length + Weights.Length);

    /// <summary>
    /// The row of context <paramref name="context"/> (an index into <see cref="Weights"/>), or −1 when it was never seen;
    /// <paramref name="start"/> receives the index of its first n-gram.
    /// </summary>
    public int FindContext(ulong context, out int start)
    {
        ulong first = context * _v;
        start = Keys.LowerBound(first);
        return start < Keys.Length && Keys.Array[start] - first < _v ? Rows.RowOf(start) : -1;
    }

    /// <summary>
    /// One search for n-gram <paramref name="key"/> = h·V + <paramref name="symbol"/>: its index when it was seen (and
    /// <paramref name="row"/> −1), else −1 with <paramref name="row"/> the row of h, or −1 when h was never seen either.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int Find(ulong key, int symbol, out int row)
    {
        ulong[] keys = Keys.Array;
        int at = Keys.LowerBound(key);
        if (at < keys.Length && keys[at] == key)
        {
            row = -1;
            return at;
        }
        // Unseen: h's row, if any, holds the key just below or just above (keys[at] > key ≥ first; keys[at − 1] < key).
        ulong first = key - (ulong)symbol;
        if (at < keys.Length && keys[at] - first < _v)
            row = Rows.RowOf(at);
        else if (at > 0 && keys[at - 1] >= first)
            row = Rows.RowOf(at - 1);
        else
            row = -1;
        return -1;
    }

    /// <summary>The seen contexts' keys (h, of order n − 1), ascending, one per weight: computed on each call (exporters and tests).</summary>
    public ulong[] ContextKeys()
    {
        var contexts = new ulong[ContextCount];
        ulong[] keys = Keys.Array;
        for (int i = 0, row = 0; i < keys.Length; i++)
        {
            if (Rows.StartsRow(i))
                contexts[row++] = keys[i] / _v;
        }
        return contexts;
    }

    /// <summary>An add-k level from counts in ascending key order (distinct keys).</summary>
    /// <param name="v">The vocabulary size.</param>
    /// <param name="k">The fake count.</param>
    /// <param name="keys">The n-grams' keys, ascending (kept, not copied).</param>
    /// <param name="counts">Each one's count.</param>
    /// <param name="keyBits">The bits of the largest possible key (V^n − 1).</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static NGramLevel AddK(int v, ulong[] keys, ReadOnlySpan<int> counts, double k, int keyBits)
    {
        var rows = FindRows(v, keys);
        var weights = new double[rows.Count];
        var probabilities = new double[keys.Length];
        for (int r = 0, start = 0; r < weights.Length; r++)
        {
            int end = rows.NextStart(start);
            double total = 0;
            for (int i = start; i < end; i++)
                total += counts[i]; // in ascending next-id order: the sums run in the same order as ever
            double denominator = total + k * v;
            weights[r] = k / denominator;
            for (int i = start; i < end; i++)
                probabilities[i] = (counts[i] + k) / denominator;
            start = end;
        }
        return new NGramLevel(v, new SortedKeys(keys, keyBits), probabilities, rows, weights, discounts: null);
    }

    /// <summary>
    /// A Kneser–Ney level from counts in ascending key order (distinct keys), this order's discounts and the level below
    /// (null at order 1, whose lower distribution is uniform).
    /// </summary>
    /// <remarks>
    /// The operations are those of the level-by-level distribution, in the same order (p ← p·λ + share): a stored
    /// probability is bit-identical to the one <see cref="NGramModel.GetNextProbabilities"/> computes. A seen n-gram's
    /// suffix is seen at the order below (continuation counts are counted from the suffixes), so it is always found.
    /// Two passes, each split over the cores (every value is computed by one thread, by the same operations, so the
    /// result does not depend on the split): each n-gram's probability at the order below, in blocks of the order below
    /// that stay in a core's cache (<see cref="CopyBelow"/>); then, row by row, λ and p = below·λ + share.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static NGramLevel KneserNey(int v, ulong[] keys, int[] counts, double[] discounts, NGramLevel? lower, ulong lowerSpace, int keyBits)
    {
        // Not zeroed: every element is written (each n-gram's probability at the order below, then at this order).
        var probabilities = GC.AllocateUninitializedArray<double>(keys.Length);
        if (lower is null)
            Array.Fill(probabilities, 1.0 / v);
        else
            CopyBelow(keys, probabilities, lower, lowerSpace);
        var rows = FindRows(v, keys);
        var lambdas = GC.AllocateUninitializedArray<double>(rows.Count);
        SortedKeys keyDirectory = default;
        if (keys.Length < RowsPerTask)
        {
            Interpolate(0, keys.Length, rows, counts, discounts, lambdas, probabilities);
            keyDirectory = new SortedKeys(keys, keyBits);
        }
        else
        {
            // The key directory is the first task; the keys' ranges follow, so it is built while the rows are interpolated.
            WorkRanges.Run(keys.Length + RowsPerTask, RowsPerTask, (first, last) =>
            {
                if (first == 0)
                    keyDirectory = new SortedKeys(keys, keyBits);
                else
                    Interpolate(first - RowsPerTask, last - RowsPerTask, rows, counts, discounts, lambdas, probabilities);
            });
        }
        return new NGramLevel(v, keyDirectory, probabilities, rows, lambdas, discounts);
    }

    // The rows that start in keys [first, last) (a row may end past `last`): λ(h) of each, and each n-gram's
    // p = below·λ + share (below is in `probabilities` on entry). The passes' bodies are methods of their own, not
    // lambdas, so that they are optimised from their first call.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Interpolate(int first, int last, RowStarts rows, int[] counts, double[] discounts, double[] lambdas, double[] probabilities)
    {
        if (first >= last)
            return;
        int start = rows.StartsRow(first) ? first : rows.NextStart(first);
        if (start >= last)
            return;
        for (int r = rows.RowOf(start); start < last; r++)
        {
            int end = rows.NextStart(start);
            double total = 0, backoff = 0;
            for (int i = start; i < end; i++)
            {
                double count = counts[i];
                total += count;
                backoff += Math.Min(count, count >= 3 ? discounts[2] : discounts[(int)count - 1]);
            }
            double lambda = backoff / total;
            lambdas[r] = lambda;
            for (int i = start; i < end; i++)
            {
                double count = counts[i];
                double discount = count >= 3 ? discounts[2] : discounts[(int)count - 1];
                double share = Math.Max(count - discount, 0) / total;
                double p = probabilities[i] * lambda;
                p += share;
                probabilities[i] = p;
            }
            start = end;
        }
    }

    // Rows (keys, when finding the rows) per task of the row pass, keys of the order below per block of the lookups (a
    // block's keys and probabilities, 16 bytes a key, 512 KiB, stay in a core's L2 cache while every oldest symbol's
    // n-grams read them), and blocks per task of the lookups.
    internal const int RowsPerTask = 1 << 16;
    internal const int LowerBlock = 1 << 15;
    private const int BlocksPerTask = 8;

    /// <summary>
    /// Each n-gram's probability at the order below: that of its suffix (key mod V^(n−1)). The n-grams with one oldest
    /// symbol (a group) have ascending suffixes, so each group could walk the order below once; but walking it V times,
    /// sparsely, misses the cache at every lookup. Instead the order below is cut into blocks, and each block serves every
    /// group's n-grams whose suffixes fall in it, each group's cursor moving forward (<see cref="Seek"/>) within the block.
    /// A task takes a few consecutive blocks and finds each group's first n-gram in them by a binary search.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void CopyBelow(ulong[] keys, double[] probabilities, NGramLevel lower, ulong lowerSpace)
    {
        // The groups: [groupStarts[g], groupStarts[g + 1]) hold the keys in [origins[g], origins[g] + V^(n−1)).
        var groupStarts = new List<int>();
        var origins = new List<ulong>();
        var space = new Divisor(lowerSpace);
        for (int i = 0; i < keys.Length;)
        {
            ulong origin = space.Divide(keys[i]) * lowerSpace;
            groupStarts.Add(i);
            origins.Add(origin);
            i = LowerBound(keys, i, keys.Length, origin + lowerSpace);
        }
        groupStarts.Add(keys.Length);
        var groups = new Groups(groupStarts.ToArray(), origins.ToArray());
        int blocks = Math.Max(1, (lower.Keys.Length + LowerBlock - 1) / LowerBlock);
        int failed = 0;
        WorkRanges.Run(blocks, BlocksPerTask, (first, last) =>
        {
            if (!LookUp(first, last, blocks, keys, groups, lower.Keys.Array, lower.Probabilities, probabilities))
                Volatile.Write(ref failed, 1);
        });
        if (failed != 0)
            throw new InvalidOperationException("A Kneser–Ney n-gram has no suffix at the order below: the levels are inconsistent.");
    }

    // The n-grams by oldest symbol: [Starts[g], Starts[g + 1]) hold the keys in [Origins[g], Origins[g] + V^(n−1)).
    private sealed record Groups(int[] Starts, ulong[] Origins);

    // Blocks [firstBlock, lastBlock) of the order below (of `blocks`): each n-gram whose suffix falls in them gets its
    // probability there; false when a suffix is missing.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool LookUp(int firstBlock, int lastBlock, int blocks, ulong[] keys, Groups groups, ulong[] lowerKeys, double[] below, double[] probabilities)
    {
        int[] starts = groups.Starts;
        ulong[] origins = groups.Origins;
        // Each group's next n-gram. The first block takes every n-gram below the others, and the last every one above,
        // so that a suffix missing from the order below fails its search instead of being skipped.
        var next = new int[origins.Length];
        for (int g = 0; g < origins.Length; g++)
            next[g] = firstBlock == 0 ? starts[g] : LowerBound(keys, starts[g], starts[g + 1], origins[g] + lowerKeys[firstBlock * LowerBlock]);
        for (int b = firstBlock; b < lastBlock; b++)
        {
            int lo = b * LowerBlock, hi = Math.Min(lowerKeys.Length, lo + LowerBlock);
            ulong beyond = b == blocks - 1 ? ulong.MaxValue : lowerKeys[hi]; // the first suffix of the next block
            for (int g = 0; g < origins.Length; g++)
            {
                ulong origin = origins[g];
                int i = next[g], end = starts[g + 1], at = lo;
                for (; i < end; i++)
                {
                    ulong suffix = keys[i] - origin;
                    if (suffix >= beyond)
                        break;
                    at = Seek(lowerKeys, at, hi, suffix);
                    if (at == hi || lowerKeys[at] != suffix)
                        return false;
                    probabilities[i] = below[at];
                }
                next[g] = i;
            }
        }
        return true;
    }

    // The first index in [at, hi) whose key is ≥ value (hi when there is none), for a value usually a few keys ahead: the
    // next 32 keys are compared four at a time (keys are below 2^63, so a signed comparison orders them), then the search
    // gallops (1, 2, 4, … keys) and ends with a binary search.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Seek(ulong[] keys, int at, int hi, ulong value)
    {
        int near = Math.Min(hi, at + 32);
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            var target = System.Runtime.Intrinsics.Vector256.Create((long)value);
            ref long first = ref System.Runtime.CompilerServices.Unsafe.As<ulong, long>(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(keys));
            for (; at + 4 <= near; at += 4)
            {
                var below = System.Runtime.Intrinsics.Vector256.LessThan(System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref first, (nuint)at), target);
                uint mask = System.Runtime.Intrinsics.Vector256.ExtractMostSignificantBits(below);
                if (mask != 0b1111)
                    return at + System.Numerics.BitOperations.TrailingZeroCount(~mask);
            }
        }
        for (; at < near; at++)
        {
            if (keys[at] >= value)
                return at;
        }
        int step = 1, probe = at;
        while (probe < hi && keys[probe] < value)
        {
            at = probe + 1;
            probe += step;
            step *= 2;
        }
        return LowerBound(keys, at, Math.Min(hi, probe + 1), value);
    }

    /// <summary>The first index in [lo, hi) of ascending <paramref name="keys"/> whose key is ≥ <paramref name="value"/> (hi when there is none).</summary>
    internal static int LowerBound(ulong[] keys, int lo, int hi, ulong value)
    {
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (keys[mid] < value)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    // Each run of keys with the same context (key / V) is a row: which keys start one, and each 64 keys' rank. One pass
    // over ranges of whole 64-bit words, in parallel: each range marks its rows and ranks its words from 0, then every
    // word's rank gets the rows of the ranges before. A key divides only when it leaves the previous key's row
    // [h·V, h·V + V).
    private static RowStarts FindRows(int v, ulong[] keys)
    {
        const int perTask = RowsPerTask; // a multiple of 64: no two ranges share a word
        var bits = new ulong[(keys.Length + 63) / 64];
        var ranks = GC.AllocateUninitializedArray<int>(bits.Length); // every element is written
        var rowsIn = new int[Math.Max(1, (keys.Length + perTask - 1) / perTask)];
        WorkRanges.Run(keys.Length, perTask, (first, last) => rowsIn[first / perTask] = MarkRows(v, keys, first, last, bits, ranks));
        int before = 0;
        for (int t = 0; t < rowsIn.Length; t++)
        {
            if (before != 0)
            {
                int lastWord = Math.Min(bits.Length, (t + 1) * (perTask / 64));
                for (int w = t * (perTask / 64); w < lastWord; w++)
                    ranks[w] += before;
            }
            before += rowsIn[t];
        }
        return new RowStarts(bits, ranks, before, keys.Length);
    }

    // Marks the rows that start in keys [first, last) (first a multiple of 64) and ranks their words from 0; returns how many.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int MarkRows(int v, ulong[] keys, int first, int last, ulong[] bits, int[] ranks)
    {
        var byV = new Divisor((ulong)v);
        // One past the row of the key before `first`; 0 at the first key (every key is ≥ 0, so it starts a row).
        ulong end = first == 0 ? 0 : (byV.Divide(keys[first - 1]) + 1) * (ulong)v;
        int rows = 0;
        for (int e = first; e < last; e++)
        {
            if ((e & 63) == 0)
                ranks[e >> 6] = rows;
            if (e == 0 || keys[e] >= end)
            {
                bits[e >> 6] |= 1UL << (e & 63);
                rows++;
                end = (byV.Divide(keys[e]) + 1) * (ulong)v;
            }
        }
        return rows;
    }
}

/// <summary>
/// One bit per n-gram of a level, set where a row (a context's run of n-grams) starts, and per 64 bits the number of rows
/// that start before them: the row of an n-gram is a rank, two reads and a population count. About 1.5 bits an n-gram,
/// where a sorted array of the contexts' keys with its directory took 12 bytes a context.
/// </summary>
internal readonly struct RowStarts
{
    private readonly ulong[] _bits;
    private readonly int[] _ranks; // [word]: the rows that start before it

    /// <summary>Wraps the bits and each word's rank (kept, not copied).</summary>
    public RowStarts(ulong[] bits, int[] ranks, int count, int length)
    {
        _bits = bits;
        _ranks = ranks;
        Count = count;
        Length = length;
    }

    /// <summary>How many n-grams the bits cover.</summary>
    public int Length { get; }

    /// <summary>How many rows there are.</summary>
    public int Count { get; }

    /// <summary>Bytes held by the bits and the ranks.</summary>
    public long Bytes => 8L * _bits.Length + 4L * _ranks.Length;

    /// <summary>Whether n-gram <paramref name="index"/> starts a row.</summary>
    public bool StartsRow(int index) => ((_bits[index >> 6] >> (index & 63)) & 1) != 0;

    /// <summary>The first n-gram after <paramref name="index"/> that starts a row (<see cref="Length"/> when none does): where index's row ends.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int NextStart(int index)
    {
        int word = (index + 1) >> 6;
        if (word >= _bits.Length)
            return Length;
        ulong rest = _bits[word] & (ulong.MaxValue << ((index + 1) & 63));
        while (rest == 0)
        {
            if (++word == _bits.Length)
                return Length;
            rest = _bits[word];
        }
        return (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(rest);
    }

    /// <summary>The row that holds n-gram <paramref name="index"/>: the rows that start at or before it, less one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int RowOf(int index)
    {
        int word = index >> 6;
        ulong upTo = (2UL << (index & 63)) - 1; // bits 0 … index & 63 (all 64 when it is 63: the shift wraps to 0)
        return _ranks[word] + System.Numerics.BitOperations.PopCount(_bits[word] & upTo) - 1;
    }
}

/// <summary>
/// Distinct keys in ascending order with a directory for finding them. The keys are grouped by their bit length (a key
/// that starts with k boundary symbols is about k·log2(V) bits shorter, and names start with boundary padding, so the
/// short keys are many), and each group's range is cut into about one bucket per <see cref="KeysPerBucket"/> keys by the
/// bits below its leading one: a lookup reads the directory, then binary-searches the few keys of its bucket (two or
/// three cache lines), whatever the padding. Costs a quarter to half a byte per key, where a hash table of the same keys
/// at a load of one half costs 16–32.
/// </summary>
internal readonly struct SortedKeys
{
    private readonly int[] _directory; // [bucket]: the first key of the bucket (buckets in key order); one more entry: the count
    private readonly int[] _groupBase; // [bit length]: the group's first bucket
    private readonly byte[] _groupShift; // [bit length]: the shift that takes a key of the group to its bucket in the group

    /// <summary>Keys per bucket of the directory, at least (fewer than twice as many on average).</summary>
    public const int KeysPerBucket = 8;

    /// <summary>Indexes <paramref name="keys"/> (ascending, distinct, all below 2^<paramref name="keyBits"/>; kept, not copied).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public SortedKeys(ulong[] keys, int keyBits)
    {
        Array = keys;
        Span<int> perGroup = stackalloc int[65];
        foreach (ulong key in keys)
            perGroup[BitLength(key)]++;
        _groupBase = new int[66];
        _groupShift = new byte[65];
        int buckets = 0;
        for (int g = 0; g <= 64; g++)
        {
            // A group of bit length g ≥ 1 holds [2^(g−1), 2^g): g − 1 bits below the leading one.
            int bits = g == 0 || perGroup[g] == 0 ? 0 : Math.Min(g - 1, System.Numerics.BitOperations.Log2((uint)Math.Max(1, perGroup[g] / KeysPerBucket)));
            _groupBase[g] = buckets;
            _groupShift[g] = (byte)(g == 0 ? 0 : g - 1 - bits);
            buckets += 1 << bits;
        }
        _groupBase[65] = buckets;
        _directory = new int[buckets + 1];
        int next = 0; // the next bucket whose first key is not yet known
        for (int i = 0; i < keys.Length; i++)
        {
            int bucket = Bucket(keys[i]);
            while (next <= bucket)
                _directory[next++] = i;
        }
        while (next <= buckets)
            _directory[next++] = keys.Length;
    }

    /// <summary>The keys, ascending.</summary>
    public ulong[] Array { get; }

    /// <summary>How many keys there are.</summary>
    public int Length => Array.Length;

    /// <summary>Bytes held by the keys and the directory.</summary>
    public long Bytes => 8L * Array.Length + 4L * _directory.Length;

    private static int BitLength(ulong key) => 64 - System.Numerics.BitOperations.LeadingZeroCount(key);

    // The bucket of a key: its group's first bucket plus the bits below its leading one, shifted to the group's size.
    private int Bucket(ulong key)
    {
        int g = BitLength(key);
        ulong below = g == 0 ? 0 : key & ~(1UL << (g - 1));
        return _groupBase[g] + (int)(below >> _groupShift[g]);
    }

    /// <summary>The index of <paramref name="key"/>, or −1.</summary>
    public int Find(ulong key)
    {
        int bucket = Bucket(key);
        int lo = _directory[bucket], hi = _directory[bucket + 1] - 1;
        ulong[] keys = Array; // by hand: Array.BinarySearch went through a generic comparer per step
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            ulong at = keys[mid];
            if (at == key)
                return mid;
            if (at < key)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    /// <summary>The index of the first key ≥ <paramref name="key"/> (<see cref="Length"/> when there is none).</summary>
    public int LowerBound(ulong key)
    {
        int bucket = Bucket(key);
        return NGramLevel.LowerBound(Array, _directory[bucket], _directory[bucket + 1], key);
    }
}

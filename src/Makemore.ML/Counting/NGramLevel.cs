namespace Makemore.ML.Counting;

/// <summary>
/// The smoothed values of one order n, as four flat arrays and nothing per n-gram: the seen n-grams' keys (h·V + c, base
/// V, oldest symbol most significant) ascending with each one's probability, and the seen contexts' keys (h, of order
/// n − 1) ascending with each one's weight. Kneser–Ney stores the full interpolated p_n(c | h) (this order's discounted
/// share plus λ(h) times the order below) and λ(h); add-k stores (N(h c) + k) / (N(h) + k·V) and k / (N(h) + k·V), the
/// probability of a symbol never seen after h. That is 16 bytes per n-gram and 16 per context, plus a directory of
/// about 2–4 bytes per key (<see cref="SortedKeys"/>); the n-grams of one context are adjacent, so a distribution reads
/// one run.
/// </summary>
internal sealed class NGramLevel
{
    private NGramLevel(ulong[] keys, double[] probabilities, ulong[] contexts, double[] weights, int keyBits, int contextBits, double[]? discounts)
    {
        Keys = new SortedKeys(keys, keyBits);
        Probabilities = probabilities;
        Contexts = new SortedKeys(contexts, contextBits);
        Weights = weights;
        Discounts = discounts;
    }

    /// <summary>The seen n-grams' keys, ascending.</summary>
    public SortedKeys Keys { get; }

    /// <summary>Per n-gram: its probability at this order (see the class remarks).</summary>
    public double[] Probabilities { get; }

    /// <summary>The seen contexts' keys, ascending.</summary>
    public SortedKeys Contexts { get; }

    /// <summary>Per context: λ(h), the weight of the order below (Kneser–Ney), or the probability of an unseen next symbol (add-k).</summary>
    public double[] Weights { get; }

    /// <summary>Kneser–Ney: D1, D2 and D3+ of this order; null for add-k.</summary>
    public double[]? Discounts { get; }

    /// <summary>Bytes held by the level's arrays.</summary>
    public long Bytes => Keys.Bytes + Contexts.Bytes + 8L * (Probabilities.Length + Weights.Length);

    /// <summary>An add-k level from counts in ascending key order (distinct keys).</summary>
    /// <param name="v">The vocabulary size.</param>
    /// <param name="k">The fake count.</param>
    /// <param name="keys">The n-grams' keys, ascending (kept, not copied).</param>
    /// <param name="counts">Each one's count.</param>
    /// <param name="keyBits">The bits of the largest possible key (V^n − 1).</param>
    /// <param name="contextBits">The bits of the largest possible context (V^(n−1) − 1).</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static NGramLevel AddK(int v, ulong[] keys, ReadOnlySpan<int> counts, double k, int keyBits, int contextBits)
    {
        ulong[] contexts = RowContexts(v, keys);
        var weights = new double[contexts.Length];
        var probabilities = new double[keys.Length];
        for (int r = 0, start = 0; r < contexts.Length; r++)
        {
            int end = RowEnd(v, keys, start, contexts[r]);
            double total = 0;
            for (int i = start; i < end; i++)
                total += counts[i]; // in ascending next-id order: the sums run in the same order as ever
            double denominator = total + k * v;
            weights[r] = k / denominator;
            for (int i = start; i < end; i++)
                probabilities[i] = (counts[i] + k) / denominator;
            start = end;
        }
        return new NGramLevel(keys, probabilities, contexts, weights, keyBits, contextBits, discounts: null);
    }

    /// <summary>
    /// A Kneser–Ney level from counts in ascending key order (distinct keys), this order's discounts and the level below
    /// (null at order 1, whose lower distribution is uniform).
    /// </summary>
    /// <remarks>
    /// The operations are those of the level-by-level distribution, in the same order (p ← p·λ + share): a stored
    /// probability is bit-identical to the one <see cref="NGramModel.GetNextProbabilities"/> computes. A seen n-gram's
    /// suffix is seen at the order below (continuation counts are counted from the suffixes), so it is always found.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static NGramLevel KneserNey(int v, ulong[] keys, ReadOnlySpan<int> counts, double[] discounts, NGramLevel? lower, ulong lowerSpace, int keyBits, int contextBits)
    {
        ulong[] contexts = RowContexts(v, keys);
        var lambdas = new double[contexts.Length];
        var probabilities = new double[keys.Length];
        var suffixes = lower is null ? default : new SuffixCursor(lower.Keys, lowerSpace);
        for (int r = 0, start = 0; r < contexts.Length; r++)
        {
            int end = RowEnd(v, keys, start, contexts[r]);
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
                double below = lower is null ? 1.0 / v : lower.Probabilities[suffixes.Find(keys[i])];
                double p = below * lambda;
                p += share;
                probabilities[i] = p;
            }
            start = end;
        }
        return new NGramLevel(keys, probabilities, contexts, lambdas, keyBits, contextBits, discounts);
    }

    // Each run of keys with the same context (key / V) is a row: the rows' contexts, ascending. Two passes over the keys
    // (count, then fill) so that nothing but the result is allocated. The keys ascend, so a key divides only when it
    // leaves the previous row's range [h·V, h·V + V).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static ulong[] RowContexts(int v, ulong[] keys)
    {
        var byV = new Divisor((ulong)v);
        int rows = 0;
        ulong end = 0; // one past the current row's keys; 0 before the first row (every key is ≥ 0, so the first divides)
        for (int e = 0; e < keys.Length; e++)
        {
            if (e == 0 || keys[e] >= end)
            {
                end = (byV.Divide(keys[e]) + 1) * (ulong)v;
                rows++;
            }
        }
        var contexts = new ulong[rows];
        rows = 0;
        for (int e = 0; e < keys.Length; e++)
        {
            if (e == 0 || keys[e] >= end)
            {
                ulong context = byV.Divide(keys[e]);
                contexts[rows++] = context;
                end = (context + 1) * (ulong)v;
            }
        }
        return contexts;
    }

    // One past the last key of the row of `context` that starts at `start`.
    private static int RowEnd(int v, ulong[] keys, int start, ulong context)
    {
        ulong limit = (context + 1) * (ulong)v;
        int end = start + 1;
        while (end < keys.Length && keys[end] < limit)
            end++;
        return end;
    }

    /// <summary>
    /// Finds the suffixes (key mod V^(n−1)) of ascending keys in the order below. Keys with the same oldest symbol have
    /// ascending suffixes, so each search starts where the previous one ended and gallops forward: the lookups of a whole
    /// level cost about a merge, not a binary search each.
    /// </summary>
    private struct SuffixCursor(SortedKeys lower, ulong lowerSpace)
    {
        private readonly Divisor _space = new(lowerSpace);
        private ulong _start, _end; // the current oldest symbol's keys: [o·V^(n−1), (o + 1)·V^(n−1)); empty at first
        private int _at;

        public int Find(ulong key)
        {
            if (key >= _end || key < _start)
            {
                // A new oldest symbol (the keys ascend, so at most V of these): divide once and start from the beginning.
                ulong oldest = _space.Divide(key);
                _start = oldest * lowerSpace;
                _end = _start + lowerSpace;
                _at = 0;
            }
            ulong suffix = key - _start;
            ReadOnlySpan<ulong> keys = lower.Array;
            int step = 1, hi = _at;
            while (hi < keys.Length && keys[hi] < suffix)
            {
                _at = hi + 1;
                hi += step;
                step *= 2;
            }
            int found = keys[_at..Math.Min(keys.Length, hi + 1)].BinarySearch(suffix);
            if (found < 0)
                throw new InvalidOperationException("A Kneser–Ney n-gram has no suffix at the order below: the levels are inconsistent.");
            _at += found;
            return _at;
        }
    }
}

/// <summary>
/// Distinct keys in ascending order with a directory for finding them. The keys are grouped by their bit length (a key
/// that starts with k boundary symbols is about k·log2(V) bits shorter, and names start with boundary padding, so the
/// short keys are many), and each group's range is cut into about as many buckets as it has keys by the bits below its
/// leading one: a lookup reads the directory, then binary-searches the one or two keys of its bucket, whatever the
/// padding. Costs 2–4 bytes per key, where a hash table of the same keys at a load of one half costs 16–32.
/// </summary>
internal readonly struct SortedKeys
{
    private readonly int[] _directory; // [bucket]: the first key of the bucket (buckets in key order); one more entry: the count
    private readonly int[] _groupBase; // [bit length]: the group's first bucket
    private readonly byte[] _groupShift; // [bit length]: the shift that takes a key of the group to its bucket in the group

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
            int bits = g == 0 || perGroup[g] == 0 ? 0 : Math.Min(g - 1, System.Numerics.BitOperations.Log2((uint)perGroup[g]));
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
        int lo = _directory[bucket], hi = _directory[bucket + 1];
        ulong[] keys = Array;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (keys[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}

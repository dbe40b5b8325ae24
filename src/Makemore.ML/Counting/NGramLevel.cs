using System.Buffers;

namespace Makemore.ML.Counting;

/// <summary>
/// The counts of one order grouped by context: rows in a compressed sparse layout (each row's next ids ascending).
/// Add-k keeps each row's total and each entry's count; Kneser–Ney keeps what its distributions need: each row's weight of
/// the order below (λ) and each entry's discounted share.
/// </summary>
internal sealed class NGramLevel
{
    private NGramLevel(ulong[] rowContext, int[] rowStart, int[] next)
    {
        RowContext = rowContext;
        RowStart = rowStart;
        Next = next;
    }

    /// <summary>Per row: its context's key (base V, oldest symbol most significant), ascending.</summary>
    public ulong[] RowContext { get; }

    /// <summary>Per row, and one past the last: where its entries start.</summary>
    public int[] RowStart { get; }

    /// <summary>Per entry: the next id.</summary>
    public int[] Next { get; }

    /// <summary>Add-k, per entry: the n-gram's count (the top order's counts array itself).</summary>
    public int[] Counts { get; private init; } = [];

    /// <summary>Add-k, per row: the sum of its counts.</summary>
    public double[] Totals { get; private init; } = [];

    /// <summary>Kneser–Ney: D1, D2 and D3+ of this order.</summary>
    public double[]? Discounts { get; private init; }

    /// <summary>Kneser–Ney, per row: the weight of the order below, (D1·N1 + D2·N2 + D3+·N3+) / total.</summary>
    public double[] Lambdas { get; private init; } = [];

    /// <summary>Kneser–Ney, per entry: max(count − D, 0) / total, what the entry adds at this order.</summary>
    public double[] Shares { get; private init; } = [];

    /// <summary>The number of entries (distinct n-grams) of the level.</summary>
    public int EntryCount => Next.Length;

    /// <summary>The row of a context, or −1 when the context was never seen (a binary search of the sorted contexts).</summary>
    public int RowOf(ulong context)
    {
        ulong[] contexts = RowContext; // by hand: Array.BinarySearch went through a generic comparer per step
        int lo = 0, hi = contexts.Length - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            ulong at = contexts[mid];
            if (at == context)
                return mid;
            if (at < context)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    /// <summary>An add-k level from counts in ascending key order (distinct keys).</summary>
    public static NGramLevel AddK(int v, ReadOnlySpan<ulong> keys, int[] counts)
    {
        var (contexts, starts, next) = Rows(v, keys);
        var totals = new double[contexts.Length];
        for (int r = 0; r < totals.Length; r++)
            for (int i = starts[r]; i < starts[r + 1]; i++)
                totals[r] += counts[i]; // in ascending next-id order: the sums run in the same order as ever
        return new NGramLevel(contexts, starts, next) { Counts = counts, Totals = totals };
    }

    /// <summary>A Kneser–Ney level from counts in ascending key order (distinct keys) and this order's discounts.</summary>
    public static NGramLevel KneserNey(int v, ReadOnlySpan<ulong> keys, ReadOnlySpan<int> counts, double[] discounts)
    {
        var (contexts, starts, next) = Rows(v, keys);
        int rowCount = contexts.Length;
        var lambdas = new double[rowCount];
        var shares = new double[keys.Length];
        for (int r = 0; r < rowCount; r++)
        {
            double total = 0, backoff = 0;
            for (int i = starts[r]; i < starts[r + 1]; i++)
            {
                double count = counts[i];
                total += count;
                backoff += Math.Min(count, count >= 3 ? discounts[2] : discounts[(int)count - 1]);
            }
            lambdas[r] = backoff / total;
            for (int i = starts[r]; i < starts[r + 1]; i++)
            {
                double count = counts[i];
                double discount = count >= 3 ? discounts[2] : discounts[(int)count - 1];
                shares[i] = Math.Max(count - discount, 0) / total;
            }
        }
        return new NGramLevel(contexts, starts, next) { Discounts = discounts, Lambdas = lambdas, Shares = shares };
    }

    // Each run of keys with the same context (key / V) is a row; its entries come out in ascending next-id order.
    // Returns each row's context, the rows' first entries (one more: the end) and each entry's next id.
    private static (ulong[] Contexts, int[] Starts, int[] Next) Rows(int v, ReadOnlySpan<ulong> keys)
    {
        int entryCount = keys.Length;
        var next = new int[entryCount];
        // Up to one row per entry: the row arrays are filled in pooled buffers, then copied at their size.
        ulong[] contexts = ArrayPool<ulong>.Shared.Rent(Math.Max(1, entryCount));
        int[] starts = ArrayPool<int>.Shared.Rent(entryCount + 1);
        var byV = new Divisor((ulong)v);
        int rowCount = 0;
        ulong previous = ulong.MaxValue; // no context: keys stay below 2^63
        for (int e = 0; e < entryCount; e++)
        {
            ulong key = keys[e];
            ulong context = byV.Divide(key);
            if (context != previous)
            {
                contexts[rowCount] = context;
                starts[rowCount++] = e;
                previous = context;
            }
            next[e] = (int)(key - context * (ulong)v);
        }
        starts[rowCount] = entryCount;
        var rows = (contexts.AsSpan(0, rowCount).ToArray(), starts.AsSpan(0, rowCount + 1).ToArray(), next);
        ArrayPool<ulong>.Shared.Return(contexts);
        ArrayPool<int>.Shared.Return(starts);
        return rows;
    }
}

/// <summary>
/// A Kneser–Ney level laid out for computing distributions: each row's λ, entry count and (next id, share) pairs in one
/// contiguous block, found by context through an <see cref="NGramKeyTable{TValue}"/>. A level then costs one probe and
/// a block or two of memory, where the rows dictionary and five parallel arrays cost a cache miss each.
/// </summary>
internal sealed class PackedLevel
{
    private readonly NGramKeyTable<int> _offsets;
    private readonly double[] _blocks; // per row: λ, entry count, then next id and share per entry

    private PackedLevel(NGramKeyTable<int> offsets, double[] blocks)
    {
        _offsets = offsets;
        _blocks = blocks;
    }

    public static PackedLevel From(NGramLevel level)
    {
        int rows = level.RowContext.Length;
        var offsets = new NGramKeyTable<int>(rows);
        var blocks = new double[2 * rows + 2 * level.EntryCount];
        int at = 0;
        for (int r = 0; r < rows; r++)
        {
            offsets.Set(level.RowContext[r], at);
            blocks[at++] = level.Lambdas[r];
            blocks[at++] = level.RowStart[r + 1] - level.RowStart[r];
            for (int e = level.RowStart[r]; e < level.RowStart[r + 1]; e++)
            {
                blocks[at++] = level.Next[e];
                blocks[at++] = level.Shares[e];
            }
        }
        return new PackedLevel(offsets, blocks);
    }

    /// <summary>
    /// One order of the interpolation for a context: <c>p ← p·λ(h) + shares</c>, the operations of the level-by-level
    /// computation in the same order. Returns false, leaving <paramref name="p"/> as it is, when the context is unseen.
    /// </summary>
    public bool Interpolate(ulong context, Span<double> p)
    {
        if (!_offsets.TryGetValue(context, out int at))
            return false;
        System.Numerics.Tensors.TensorPrimitives.Multiply(p, _blocks[at], p);
        int end = at + 2 + 2 * (int)_blocks[at + 1];
        for (int i = at + 2; i < end; i += 2)
            p[(int)_blocks[i]] += _blocks[i + 1];
        return true;
    }
}

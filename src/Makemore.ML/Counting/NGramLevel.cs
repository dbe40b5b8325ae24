using System.Buffers;
using System.Runtime.InteropServices;

namespace Makemore.ML.Counting;

/// <summary>
/// The counts of one order grouped by context: rows in a compressed sparse layout (each row's next ids ascending), with
/// the totals and, for Kneser–Ney, the discounted mass each row hands to the order below.
/// </summary>
internal sealed class NGramLevel
{
    public required Dictionary<ulong, int> Rows { get; init; }
    /// <summary>Per row: its context's key (base V, oldest symbol most significant).</summary>
    public required ulong[] RowContext { get; init; }
    public required int[] RowStart { get; init; }
    public required int[] Next { get; init; }
    public required double[] Counts { get; init; }
    public required double[] Totals { get; init; }
    /// <summary>Per row: D1·N1 + D2·N2 + D3+·N3+, the probability mass (times the total) handed to the lower order.</summary>
    public required double[] BackoffMass { get; init; }
    public double[]? Discounts { get; init; }
    /// <summary>Kneser–Ney, per row: the weight of the order below, BackoffMass / Totals.</summary>
    public double[] Lambdas { get; private init; } = [];
    /// <summary>Kneser–Ney, per entry: max(count − D, 0) / total, what the entry adds at this order.</summary>
    public double[] Shares { get; private init; } = [];

    /// <summary>The number of entries (distinct n-grams) of the level.</summary>
    public int EntryCount => Next.Length;

    /// <summary>
    /// Groups counts by context in two linear passes (no sort of the keys: rows are numbered as first seen); each row's
    /// entries are then put in ascending next-id order, so that the floating-point sums run in the same order as ever.
    /// </summary>
    public static NGramLevel Build(int v, Dictionary<ulong, int> counts, double[]? discounts)
    {
        int entryCount = counts.Count;
        // The temporaries (up to one row per entry) come from the shared pool: fresh arrays of this size land on the
        // large-object heap and made every 6-gram fit end in a full garbage collection.
        var pool = ArrayPool<int>.Shared;
        ulong[] contexts = ArrayPool<ulong>.Shared.Rent(entryCount);
        int[] rowSize = pool.Rent(entryCount);
        int[] entryRow = pool.Rent(entryCount);
        var rows = new Dictionary<ulong, int>(entryCount); // sized for the worst case up front: growing it rehashed several times
        int rowCount = 0;
        int e = 0;
        foreach (ulong key in counts.Keys)
        {
            ulong context = key / (ulong)v;
            ref int row = ref CollectionsMarshal.GetValueRefOrAddDefault(rows, context, out bool exists);
            if (!exists)
            {
                row = rowCount;
                contexts[rowCount] = context;
                rowSize[rowCount++] = 0;
            }
            rowSize[row]++;
            entryRow[e++] = row;
        }
        var rowStart = new int[rowCount + 1];
        for (int r = 0; r < rowCount; r++)
            rowStart[r + 1] = rowStart[r] + rowSize[r];
        int[] fill = rowSize; // reused: each row's next free entry
        rowStart.AsSpan(0, rowCount).CopyTo(fill);
        var next = new int[entryCount];
        var values = new double[entryCount];
        e = 0;
        foreach ((ulong key, int count) in counts)
        {
            int at = fill[entryRow[e++]]++;
            next[at] = (int)(key % (ulong)v);
            values[at] = count;
        }
        var rowContext = contexts.AsSpan(0, rowCount).ToArray();
        ArrayPool<ulong>.Shared.Return(contexts);
        pool.Return(rowSize);
        pool.Return(entryRow);
        var totals = new double[rowCount];
        var backoff = new double[rowCount];
        for (int r = 0; r < rowCount; r++)
        {
            SortRow(next, values, rowStart[r], rowStart[r + 1]);
            for (int i = rowStart[r]; i < rowStart[r + 1]; i++)
            {
                totals[r] += values[i];
                if (discounts is not null)
                    backoff[r] += Math.Min(values[i], values[i] >= 3 ? discounts[2] : discounts[(int)values[i] - 1]);
            }
        }
        var lambdas = new double[discounts is null ? 0 : rowCount];
        var shares = new double[discounts is null ? 0 : entryCount];
        if (discounts is not null)
        {
            for (int r = 0; r < rowCount; r++)
            {
                lambdas[r] = backoff[r] / totals[r];
                for (int i = rowStart[r]; i < rowStart[r + 1]; i++)
                {
                    double count = values[i];
                    double discount = count >= 3 ? discounts[2] : discounts[(int)count - 1];
                    shares[i] = Math.Max(count - discount, 0) / totals[r];
                }
            }
        }
        return new NGramLevel
        {
            Rows = rows, RowContext = rowContext, RowStart = rowStart, Next = next, Counts = values,
            Totals = totals, BackoffMass = backoff, Discounts = discounts, Lambdas = lambdas, Shares = shares,
        };
    }

    // Rows hold at most V entries, usually a handful: insertion sort.
    private static void SortRow(int[] next, double[] values, int start, int end)
    {
        for (int i = start + 1; i < end; i++)
        {
            int id = next[i];
            double value = values[i];
            int j = i - 1;
            while (j >= start && next[j] > id)
            {
                next[j + 1] = next[j];
                values[j + 1] = values[j];
                j--;
            }
            next[j + 1] = id;
            values[j + 1] = value;
        }
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

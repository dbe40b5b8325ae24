namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Whole items as makemore.py's <c>CharDataset</c> gives them to a sequence model: input <c>[0, c1 … ck, 0 …]</c> (the
/// start token, the item, padding) and target <c>[c1 … ck, 0, −1 …]</c> (the item, the end token, then −1 where nothing
/// is predicted). The items are kept lean — their ids back to back in the narrowest type that holds them (one byte each
/// for up to 256 symbols), with each item's start — and rows are built only for the batch asked for, each batch cut to
/// its longest item (<see cref="Gather"/>): one long item no longer sets the width, and the memory, of every row.
/// </summary>
/// <remarks>
/// A batch cut to its longest item equals the rows of width <see cref="BlockSize"/> narrowed to that length, which is what
/// the sequence models' loss computes on (positions after the longest item predict nothing), so training is unchanged.
/// </remarks>
public sealed class SequenceExamples
{
    private readonly byte[]? _bytes; // the ids, back to back, when every id is < 256
    private readonly ushort[]? _shorts; // the ids when some id is ≥ 256 and all are < 65,536
    private readonly int[]? _ints; // otherwise
    private readonly long[] _starts; // item i is ids[_starts[i] .. _starts[i + 1])
    private int[]? _byLength; // item indices, shortest first (stable): evaluation chunks of like lengths

    private SequenceExamples(int blockSize, long[] starts, byte[]? bytes, ushort[]? shorts, int[]? ints)
    {
        BlockSize = blockSize;
        _starts = starts;
        _bytes = bytes;
        _shorts = shorts;
        _ints = ints;
    }

    /// <summary>T, the longest row a model may be given: the longest item plus the end token, or the block size asked for.</summary>
    public int BlockSize { get; }

    /// <summary>Number of items (rows).</summary>
    public int Count => _starts.Length - 1;

    /// <summary>Predicted characters: every item's characters and its end token.</summary>
    public long PredictedCount => _starts[^1] + Count;

    /// <summary>Bytes the items take (ids and starts), to compare with the <c>2 · Count · T · 8</c> of whole int64 rows.</summary>
    public long Bytes => (_bytes?.LongLength ?? 0) + 2L * (_shorts?.LongLength ?? 0) + 4L * (_ints?.LongLength ?? 0) + 8L * _starts.LongLength;

    /// <summary>The length of item <paramref name="row"/>, in characters (without boundary tokens).</summary>
    public int LengthOf(int row) => (int)(_starts[row + 1] - _starts[row]);

    /// <summary>The block size makemore.py uses for <paramref name="items"/>: the longest item plus one (the end token).</summary>
    public static int DefaultBlockSize(IEnumerable<int[]> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Select(i => i.Length).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>Keeps the items of <paramref name="items"/>, in order.</summary>
    /// <param name="items">Items as character ids (no boundary tokens; 0 is not a character).</param>
    /// <param name="blockSize">T; null for <see cref="DefaultBlockSize"/>. Every item must fit: its length + 1 ≤ T.</param>
    public static SequenceExamples Build(IReadOnlyList<int[]> items, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        int t = blockSize ?? DefaultBlockSize(items);
        if (t < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), t, "The block size must be ≥ 1.");
        var starts = new long[items.Count + 1];
        int largest = 0;
        for (int row = 0; row < items.Count; row++)
        {
            var item = items[row];
            if (item.Length + 1 > t)
                throw new ArgumentException($"An item of {item.Length} characters needs a block size of {item.Length + 1}; the block size is {t}.", nameof(items));
            foreach (int id in item)
            {
                if (id <= 0)
                    throw new ArgumentException($"Item {row} holds id {id}; a character id is ≥ 1 (0 is the boundary).", nameof(items));
                largest = Math.Max(largest, id);
            }
            starts[row + 1] = starts[row] + item.Length;
        }
        byte[]? bytes = largest <= byte.MaxValue ? new byte[starts[^1]] : null;
        ushort[]? shorts = bytes is null && largest <= ushort.MaxValue ? new ushort[starts[^1]] : null;
        int[]? ints = bytes is null && shorts is null ? new int[starts[^1]] : null;
        for (int row = 0; row < items.Count; row++)
        {
            long at = starts[row];
            foreach (int id in items[row])
            {
                if (bytes is not null)
                    bytes[at] = (byte)id;
                else if (shorts is not null)
                    shorts[at] = (ushort)id;
                else
                    ints![at] = id;
                at++;
            }
        }
        return new SequenceExamples(t, starts, bytes, shorts, ints);
    }

    /// <summary>
    /// The rows of the items <paramref name="rows"/> (in that order), cut to the longest of them: inputs and targets
    /// row-major (rows.Length, width), width = the longest item + 1 (≤ <see cref="BlockSize"/>).
    /// </summary>
    public (long[] Inputs, long[] Targets, int Width) Gather(ReadOnlySpan<long> rows)
    {
        int width = 1;
        foreach (long row in rows)
            width = Math.Max(width, LengthOf(checked((int)row)) + 1);
        var inputs = new long[(long)rows.Length * width];
        var targets = new long[(long)rows.Length * width];
        for (int r = 0; r < rows.Length; r++)
        {
            int row = (int)rows[r];
            long start = _starts[row];
            int length = LengthOf(row);
            var x = inputs.AsSpan(r * width, width);
            var y = targets.AsSpan(r * width, width);
            y.Fill(-1);
            for (int i = 0; i < length; i++)
            {
                long id = IdAt(start + i);
                x[i + 1] = id;
                y[i] = id;
            }
            y[length] = 0; // the end token
        }
        return (inputs, targets, width);
    }

    /// <summary>The items <paramref name="rows"/>, in that order, as examples of their own (the same block size).</summary>
    internal SequenceExamples Select(ReadOnlySpan<long> rows)
    {
        var starts = new long[rows.Length + 1];
        for (int r = 0; r < rows.Length; r++)
            starts[r + 1] = starts[r] + LengthOf(checked((int)rows[r]));
        byte[]? bytes = _bytes is null ? null : new byte[starts[^1]];
        ushort[]? shorts = _shorts is null ? null : new ushort[starts[^1]];
        int[]? ints = _ints is null ? null : new int[starts[^1]];
        for (int r = 0; r < rows.Length; r++)
        {
            int row = (int)rows[r];
            int length = LengthOf(row);
            if (bytes is not null)
                Array.Copy(_bytes!, _starts[row], bytes, starts[r], length);
            else if (shorts is not null)
                Array.Copy(_shorts!, _starts[row], shorts, starts[r], length);
            else
                Array.Copy(_ints!, _starts[row], ints!, starts[r], length);
        }
        return new SequenceExamples(BlockSize, starts, bytes, shorts, ints);
    }

    /// <summary>
    /// Every item once, in chunks of like lengths (shortest first), each chunk at most <paramref name="positions"/> positions
    /// (rows × width) unless one row is longer: the order in which evaluation runs fewest padded positions.
    /// </summary>
    public IEnumerable<long[]> ChunksByLength(int positions)
    {
        if (positions < 1)
            throw new ArgumentOutOfRangeException(nameof(positions), positions, "A chunk holds at least one position.");
        _byLength ??= Enumerable.Range(0, Count).OrderBy(LengthOf).ToArray();
        var chunk = new List<long>();
        int width = 0;
        foreach (int row in _byLength)
        {
            int w = LengthOf(row) + 1;
            if (chunk.Count > 0 && (long)(chunk.Count + 1) * Math.Max(width, w) > positions)
            {
                yield return chunk.ToArray();
                chunk.Clear();
                width = 0;
            }
            chunk.Add(row);
            width = Math.Max(width, w);
        }
        if (chunk.Count > 0)
            yield return chunk.ToArray();
    }

    private long IdAt(long index) => _bytes is not null ? _bytes[index] : _shorts is not null ? _shorts[index] : _ints![index];
}

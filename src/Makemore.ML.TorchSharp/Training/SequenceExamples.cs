namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Whole items as makemore.py's <c>CharDataset</c> gives them to a sequence model: input <c>[0, c1 … ck, 0 …]</c> (the
/// start token, the item, padding) and target <c>[c1 … ck, 0, −1 …]</c> (the item, the end token, then −1 where nothing
/// is predicted), both of length <see cref="BlockSize"/>.
/// </summary>
public sealed class SequenceExamples
{
    private SequenceExamples(int blockSize, long[] inputs, long[] targets)
    {
        BlockSize = blockSize;
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>T, the length of every row: the longest item plus the end token, or the block size asked for.</summary>
    public int BlockSize { get; }

    /// <summary>Inputs, row-major (Count, T).</summary>
    public long[] Inputs { get; }

    /// <summary>Targets, row-major (Count, T); −1 marks a position not predicted.</summary>
    public long[] Targets { get; }

    /// <summary>Number of items (rows).</summary>
    public int Count => BlockSize == 0 ? 0 : Inputs.Length / BlockSize;

    /// <summary>Predicted characters: every item's characters and its end token.</summary>
    public long PredictedCount => Targets.LongCount(t => t >= 0);

    /// <summary>The block size makemore.py uses for <paramref name="items"/>: the longest item plus one (the end token).</summary>
    public static int DefaultBlockSize(IEnumerable<int[]> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Select(i => i.Length).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>Builds the rows of <paramref name="items"/>, in order.</summary>
    /// <param name="items">Items as character ids (no boundary tokens; 0 is not a character).</param>
    /// <param name="blockSize">T; null for <see cref="DefaultBlockSize"/>. Every item must fit: its length + 1 ≤ T.</param>
    public static SequenceExamples Build(IReadOnlyList<int[]> items, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        int t = blockSize ?? DefaultBlockSize(items);
        if (t < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), t, "The block size must be ≥ 1.");
        var inputs = new long[(long)items.Count * t];
        var targets = new long[(long)items.Count * t];
        for (int row = 0; row < items.Count; row++)
        {
            var item = items[row];
            if (item.Length + 1 > t)
                throw new ArgumentException($"An item of {item.Length} characters needs a block size of {item.Length + 1}; the block size is {t}.", nameof(items));
            var x = inputs.AsSpan(row * t, t);
            var y = targets.AsSpan(row * t, t);
            y.Fill(-1);
            for (int i = 0; i < item.Length; i++)
            {
                if (item[i] <= 0)
                    throw new ArgumentException($"Item {row} holds id {item[i]}; a character id is ≥ 1 (0 is the boundary).", nameof(items));
                x[i + 1] = item[i];
                y[i] = item[i];
            }
            y[item.Length] = 0; // the end token
        }
        return new SequenceExamples(t, inputs, targets);
    }
}

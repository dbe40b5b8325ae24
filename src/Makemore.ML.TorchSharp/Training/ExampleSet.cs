using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Examples for <see cref="TrainingLoop"/>: either tensors whose first dimension is the example (inputs, targets and
/// optional weights; the caller keeps ownership of the tensors and disposes them), or lean <see cref="SequenceExamples"/>
/// whose rows are built batch by batch, each batch cut to its longest item.
/// </summary>
public sealed class ExampleSet
{
    private readonly bool _rowNumbers;

    /// <summary>Wraps the tensors after checking their shapes.</summary>
    /// <param name="inputs">(n, ...) whatever the model's forward takes, e.g. (n, block) int64 contexts.</param>
    /// <param name="targets">(n) int64 next ids, or (n, t) for sequence models; −1 marks a position not predicted.</param>
    /// <param name="weights">(n) float32 per-example weights (event counts), or null for all ones.</param>
    public ExampleSet(Tensor inputs, Tensor targets, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.dim() is not (1 or 2))
            throw new ArgumentException($"The targets must be (n) or (n, t); they are ({string.Join(", ", targets.shape)}).", nameof(targets));
        if (targets.dtype != ScalarType.Int64)
            throw new ArgumentException($"The targets must be int64 ids; they are {targets.dtype}.", nameof(targets));
        long n = targets.shape[0];
        if (n == 0)
            throw new ArgumentException("There are no examples.", nameof(targets));
        if (inputs.dim() < 1 || inputs.shape[0] != n)
            throw new ArgumentException($"The inputs must have one row per target ({n}); their shape is ({string.Join(", ", inputs.shape)}).", nameof(inputs));
        if (weights is not null && (weights.dim() != 1 || weights.shape[0] != n))
            throw new ArgumentException($"The weights must be ({n}); their shape is ({string.Join(", ", weights.shape)}).", nameof(weights));
        Inputs = inputs;
        Targets = targets;
        Weights = weights;
        Count = n;
    }

    /// <summary>
    /// Wraps whole items; each batch's rows are built when drawn, (b, w) int64 inputs and targets with w the batch's
    /// longest item + 1, so memory holds the items' ids rather than n · T int64 rows.
    /// </summary>
    /// <param name="sequences">The items.</param>
    /// <param name="withRowNumbers">
    /// Append each row's item number as one more input column, (b, w + 1): for a loss that looks up per-item data (the
    /// soft targets of distillation). The loss tells such a batch by its inputs being one column wider than its targets.
    /// </param>
    public ExampleSet(SequenceExamples sequences, bool withRowNumbers = false)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("There are no examples.", nameof(sequences));
        Sequences = sequences;
        _rowNumbers = withRowNumbers;
        Count = sequences.Count;
    }

    /// <summary>(n, ...) model inputs; null when the examples are <see cref="Sequences"/>, built batch by batch.</summary>
    public Tensor? Inputs { get; }

    /// <summary>(n) or (n, t) int64 targets; null when the examples are <see cref="Sequences"/>.</summary>
    public Tensor? Targets { get; }

    /// <summary>(n) float32 per-example weights, or null for all ones.</summary>
    public Tensor? Weights { get; }

    /// <summary>The items whose rows are built batch by batch, or null for examples held as tensors.</summary>
    public SequenceExamples? Sequences { get; }

    /// <summary>Number of examples, n.</summary>
    public long Count { get; }

    /// <summary>The batch of rows <paramref name="rows"/>: (b, ...) inputs, (b) or (b, w) targets, (b) weights or null.</summary>
    /// <param name="rows">(b) int64 row numbers.</param>
    internal (Tensor Inputs, Tensor Targets, Tensor? Weights) Select(Tensor rows)
    {
        if (Sequences is null)
            return (Inputs!.index_select(0, rows), Targets!.index_select(0, rows), Weights?.index_select(0, rows));
        return Build(rows.data<long>().ToArray());
    }

    /// <summary>Every row: the whole set as one batch (full-batch training).</summary>
    internal (Tensor Inputs, Tensor Targets, Tensor? Weights) All() =>
        Sequences is null ? (Inputs!, Targets!, Weights) : Build([.. Enumerable.Range(0, (int)Count).Select(i => (long)i)]);

    /// <summary>
    /// Every row once, in chunks of about <paramref name="positions"/> predicted positions (a sequence row of width T is T
    /// of them): tensor sets in row order, sequences in chunks of like lengths (<see cref="SequenceExamples.ChunksByLength"/>).
    /// <see cref="Take"/> makes a chunk's tensors, so that they can live in the caller's dispose scope.
    /// </summary>
    internal IEnumerable<ExampleChunk> Chunks(int positions)
    {
        if (Sequences is not null)
        {
            foreach (long[] rows in Sequences.ChunksByLength(positions))
                yield return new ExampleChunk(0, rows.Length, rows);
            yield break;
        }
        // Under a dispose scope every activation of a chunk lives until it ends, so 4,096 whole names through the
        // Transformer peaked at over 1 GB: the chunk counts positions, not rows.
        long size = Math.Max(1, positions / (Targets!.dim() == 2 ? Targets.shape[1] : 1));
        for (long start = 0; start < Count; start += size)
            yield return new ExampleChunk(start, Math.Min(size, Count - start), null);
    }

    /// <summary>The tensors of a chunk of <see cref="Chunks"/>: (c, ...) inputs, (c) or (c, w) targets, (c) weights or null.</summary>
    internal (Tensor Inputs, Tensor Targets, Tensor? Weights) Take(ExampleChunk chunk) => chunk.Rows is { } rows
        ? Build(rows)
        : (Inputs!.narrow(0, chunk.Start, chunk.Length), Targets!.narrow(0, chunk.Start, chunk.Length), Weights?.narrow(0, chunk.Start, chunk.Length));

    /// <summary>
    /// The rows <paramref name="rows"/> as a set of their own. For a tensor set its tensors are new ones (index_select), in
    /// the current dispose scope: the caller disposes them, or lets the scope do so.
    /// </summary>
    internal ExampleSet Subset(long[] rows)
    {
        if (Sequences is not null)
            return new ExampleSet(Sequences.Select(rows), _rowNumbers);
        using var index = tensor(rows); // (s)
        return new ExampleSet(Inputs!.index_select(0, index), Targets!.index_select(0, index), Weights?.index_select(0, index));
    }

    // (b, w) or (b, w + 1) int64 inputs, (b, w) int64 targets of the items rows.
    private (Tensor Inputs, Tensor Targets, Tensor? Weights) Build(long[] rows)
    {
        var (inputs, targets, width) = Sequences!.Gather(rows);
        var x = tensor(inputs, [rows.Length, width]); // (b, w)
        if (_rowNumbers)
            x = cat([x, tensor(rows).unsqueeze(1)], 1); // (b, w + 1)
        return (x, tensor(targets, [rows.Length, width]), null);
    }
}

/// <summary>Rows of an <see cref="ExampleSet"/> evaluated together: a range of them, or the rows listed.</summary>
/// <param name="Start">First row of the range (when <paramref name="Rows"/> is null).</param>
/// <param name="Length">Number of rows.</param>
/// <param name="Rows">The rows, or null for the range.</param>
internal readonly record struct ExampleChunk(long Start, long Length, long[]? Rows);

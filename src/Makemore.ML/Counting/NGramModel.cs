using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Counting;

/// <summary>
/// A character n-gram count model of any order 1–8: the lecture's bigram table generalised, with add-k or
/// interpolated (modified) Kneser–Ney smoothing. Each item is padded with n − 1 boundary tokens in front and
/// one boundary token (the end token) behind. Pure C#.
/// </summary>
public sealed partial class NGramModel : WindowLanguageModel
{
    /// <summary>The highest order supported.</summary>
    public const int MaxOrder = 8;

    private readonly int _v;
    private readonly ulong[] _powers; // V^k, k = 0..order
    private readonly NGramLevel[] _levels; // _levels[n - 1] holds order n (context length n − 1); add-k keeps only the top one
    private NGramScoringTable? _scoring; // built on the first scoring call: fitting and WithSmoothing stay cheap

    // countsByOrder: the counts of every order, lowest first (Kneser–Ney's lower orders are continuation counts), or of
    // the top order alone, from which the lower ones are derived when the smoothing needs them.
    private NGramModel(CharacterVocabulary vocabulary, int order, Smoothing smoothing, IReadOnlyList<NGramCounts> countsByOrder)
    {
        Vocabulary = vocabulary;
        Order = order;
        Smoothing = smoothing;
        _v = vocabulary.Size;
        TopCounts = countsByOrder[^1];
        _powers = new ulong[order + 1];
        for (int k = 0; k <= order; k++)
            _powers[k] = ContextWindow.Pow(_v, k);
        _levels = BuildLevels(smoothing, countsByOrder);
    }

    /// <inheritdoc/>
    public override CharacterVocabulary Vocabulary { get; }

    /// <summary>n: the model predicts each character from the previous n − 1.</summary>
    public int Order { get; }

    /// <summary>How counts become probabilities.</summary>
    public Smoothing Smoothing { get; }

    /// <inheritdoc/>
    public override int BlockSize => Order - 1;

    /// <summary>Number of distinct n-grams (of the model's order) seen in training.</summary>
    public int DistinctNGramCount => TopCounts.Distinct;

    /// <summary>Number of predicted characters counted in training (the end tokens included).</summary>
    public long EventCount => TopCounts.Events;

    /// <summary>The discounts (D1, D2, D3+) used at each order, lowest order first, for Kneser–Ney; empty for add-k.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Discounts =>
        Smoothing is KneserNeySmoothing ? _levels.Select(l => (IReadOnlyList<double>)l.Discounts!).ToArray() : [];

    /// <summary>Bytes held by the model's arrays once it has scored: the levels, the top order's counts and a dense scoring table if it has one.</summary>
    internal long Bytes => _levels.Sum(l => l.Bytes) + 4L * TopCounts.Distinct + sizeof(double) * NGramScoringTable.DenseEntries(_v, Order);

    /// <summary>Per order, lowest first (add-k: the top order only): the level scoring and distributions read.</summary>
    internal IReadOnlyList<NGramLevel> Levels => _levels;

    /// <summary>Raw counts of the top order, keyed by the n-gram's base-V number (oldest symbol most significant).</summary>
    internal NGramCounts TopCounts { get; }

    /// <summary>Counts the n-grams of id sequences (characters only, no boundary ids) and builds the model.</summary>
    /// <param name="vocabulary">The vocabulary the ids come from.</param>
    /// <param name="order">n, 1–8.</param>
    /// <param name="smoothing">How to turn counts into probabilities.</param>
    /// <param name="sequences">One id array per training item.</param>
    public static NGramModel Fit(CharacterVocabulary vocabulary, int order, Smoothing smoothing, IEnumerable<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(smoothing);
        ArgumentNullException.ThrowIfNull(sequences);
        ValidateOrder(vocabulary, order);
        smoothing.Validate();
        return new NGramModel(vocabulary, order, smoothing, [NGramCounts.Count(vocabulary.Size, order, sequences)]);
    }

    /// <summary>
    /// Counts within a memory budget and builds the model: when the counts held while counting reach
    /// <paramref name="memoryBudget"/> bytes, they are written as sorted runs to a temporary folder and merged at the end,
    /// so a corpus whose counts do not fit in memory can be counted. The model is the same as without a budget (every count
    /// and probability); the folder is removed however counting ends. The model itself is not part of the budget.
    /// </summary>
    /// <param name="vocabulary">The vocabulary the ids come from.</param>
    /// <param name="order">n, 1–8.</param>
    /// <param name="smoothing">How to turn counts into probabilities.</param>
    /// <param name="sequences">One id array per training item, read once, in order (it may stream from a file).</param>
    /// <param name="memoryBudget">Bytes the counting may hold; 0 for no limit.</param>
    /// <param name="temporaryFolder">Where the spilled runs go; null for the system's temporary folder.</param>
    public static NGramModel Fit(CharacterVocabulary vocabulary, int order, Smoothing smoothing, IEnumerable<int[]> sequences, long memoryBudget, string? temporaryFolder = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(smoothing);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryBudget);
        ValidateOrder(vocabulary, order);
        smoothing.Validate();
        return Fit(vocabulary, order, smoothing, sequences, memoryBudget, temporaryFolder, out _);
    }

    /// <summary>As the public overload; <paramref name="spills"/> is how many runs went to disk (benchmarks print it).</summary>
    internal static NGramModel Fit(CharacterVocabulary vocabulary, int order, Smoothing smoothing, IEnumerable<int[]> sequences, long memoryBudget, string? temporaryFolder, out int spills)
    {
        var counts = NGramCounts.Count(vocabulary.Size, order, sequences, NGramCounts.ChunkEvents, memoryBudget, temporaryFolder, out spills);
        return new NGramModel(vocabulary, order, smoothing, [counts]);
    }

    /// <summary>Returns the same counts with another smoothing (cheap: counting is not repeated). Used to tune smoothing on dev.</summary>
    public NGramModel WithSmoothing(Smoothing smoothing)
    {
        ArgumentNullException.ThrowIfNull(smoothing);
        smoothing.Validate();
        return new NGramModel(Vocabulary, Order, smoothing, [TopCounts]);
    }

    /// <summary>The raw training count of an n-gram of the model's order (context of <see cref="BlockSize"/> ids, then the next id).</summary>
    public int Count(ReadOnlySpan<int> context, int next) =>
        TopCounts[ContextWindow.Append(ContextKey(context), _v, next)];

    /// <inheritdoc/>
    public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities)
    {
        if (context.Length != BlockSize)
            throw new ArgumentException($"Expected a context of {BlockSize} ids, got {context.Length}.", nameof(context));
        if (probabilities.Length != _v)
            throw new ArgumentException($"Expected room for {_v} probabilities, got {probabilities.Length}.", nameof(probabilities));
        ulong key = ContextKey(context);
        switch (Smoothing)
        {
            case AddKSmoothing addK:
                AddKProbabilities(addK.K, key, probabilities);
                break;
            default:
                KneserNeyProbabilities(key, probabilities);
                break;
        }
    }

    /// <inheritdoc/>
    /// <remarks>One table lookup per character (a few for a Kneser–Ney backoff), not a distribution: see <see cref="NGramScoringTable"/>.</remarks>
    public override void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        if (logProbabilities.Length < ids.Length + 1)
            throw new ArgumentException($"Needs room for {ids.Length + 1} values, got {logProbabilities.Length}.", nameof(logProbabilities));
        ScoringTable.LogProbabilities(ids, logProbabilities);
    }

    /// <inheritdoc/>
    /// <remarks>A dense table without backoff sums as it reads; otherwise the base sums <see cref="LogProbabilities"/>.</remarks>
    public override double LogLikelihood(ReadOnlySpan<int> ids) =>
        ScoringTable is { SumsAsItReads: true } table ? table.LogLikelihood(ids) : base.LogLikelihood(ids);

    /// <summary>The precomputed log-probabilities, built on first use (thread-safe: a race builds twice and keeps one).</summary>
    internal NGramScoringTable ScoringTable =>
        _scoring ?? Interlocked.CompareExchange(ref _scoring, NGramScoringTable.Create(this, _levels), null) ?? _scoring;

    /// <summary>Builds a scoring table with another dense limit (tests compare both layouts with the distribution).</summary>
    internal NGramScoringTable CreateScoringTable(long denseLimit) => NGramScoringTable.Create(this, _levels, denseLimit);

    private void AddKProbabilities(double k, ulong key, Span<double> p)
    {
        NGramLevel top = _levels[0];
        int row = top.FindContext(key, out int start);
        if (row < 0)
        {
            // An unseen context: add-k gives the uniform distribution; without smoothing every event has probability 0.
            p.Fill(k > 0 ? 1.0 / _v : 0.0);
            return;
        }
        p.Fill(top.Weights[row]); // k / (N(h) + k·V)
        CopyRow(top, key, start, p);
    }

    private void KneserNeyProbabilities(ulong key, Span<double> p)
    {
        p.Fill(1.0 / _v); // order 0: uniform
        for (int n = 1; n <= Order; n++)
        {
            NGramLevel level = _levels[n - 1];
            ulong context = n == 1 ? 0 : key % _powers[n - 1];
            int row = level.FindContext(context, out int start);
            if (row < 0)
                break; // an unseen context is unseen at every higher order too
            // p ← p·λ(h) + share for the seen symbols: their stored probability is that sum, computed the same way.
            TensorPrimitives.Multiply(p, level.Weights[row], p);
            CopyRow(level, context, start, p);
        }
    }

    // The seen n-grams of a context (adjacent keys h·V … h·V + V − 1, the first at `start`): each one's probability into p[c].
    private void CopyRow(NGramLevel level, ulong context, int start, Span<double> p)
    {
        ulong first = context * (ulong)_v;
        ulong[] keys = level.Keys.Array;
        double[] probabilities = level.Probabilities;
        for (int e = start; e < keys.Length && keys[e] - first < (ulong)_v; e++)
            p[(int)(keys[e] - first)] = probabilities[e];
    }

    /// <summary>The levels from the counts in ascending key order: add-k's top order, or Kneser–Ney's every order.</summary>
    private NGramLevel[] BuildLevels(Smoothing smoothing, IReadOnlyList<NGramCounts> countsByOrder)
    {
        NGramCounts top = countsByOrder[^1];
        if (smoothing is AddKSmoothing addK)
            return [NGramLevel.AddK(_v, top.Keys, top.Counts, addK.K, KeyBits(Order))];
        if (smoothing is not KneserNeySmoothing kn)
            throw new InvalidOperationException($"Unknown smoothing {smoothing}.");
        var counts = countsByOrder.Count == Order ? countsByOrder : ContinuationCounts(top);
        // Bottom up: each order's probabilities interpolate with the order below.
        var levels = new NGramLevel[Order];
        for (int n = 1; n <= Order; n++)
        {
            var c = counts[n - 1];
            levels[n - 1] = NGramLevel.KneserNey(_v, c.Keys, c.Counts, EstimateDiscounts(kn, c.Counts),
                n == 1 ? null : levels[n - 2], _powers[n - 1], KeyBits(n));
        }
        return levels;
    }

    /// <summary>
    /// Kneser–Ney's counts of every order, lowest first, from the top order's: order N keeps raw counts; a lower order n
    /// counts continuations N1+(• h c), the number of distinct symbols seen before (h c), because it only speaks when the
    /// longer context is rare (Chen &amp; Goodman 1998). Boundary padding counts as a symbol like any other. (KenLM instead
    /// keeps raw counts for n-grams that start with padding; on the lecture split that costs 0.025 nats at order 6, so we
    /// follow Chen &amp; Goodman.) Each order's keys are radix-sorted once from the order above, top down, in one buffer
    /// reused for each (a lower order has at most as many distinct keys as the order above).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal NGramCounts[] ContinuationCounts(NGramCounts top)
    {
        var counts = new NGramCounts[Order];
        counts[Order - 1] = top;
        // Plain arrays, not pooled ones: the shared pool would keep tens of megabytes for the rest of the process.
        var keys = new ulong[top.Distinct];
        var runs = new int[top.Distinct];
        for (int order = Order - 1; order >= 1; order--)
        {
            int n = CountContinuations(counts[order].Keys, order, keys, runs);
            counts[order - 1] = NGramCounts.FromSorted(keys.AsSpan(0, n).ToArray(), runs.AsSpan(0, n).ToArray());
        }
        return counts;
    }

    // The continuation counts of order `order` from the distinct keys of the order above: each distinct (n+1)-gram is one
    // symbol seen before its n-symbol suffix, so the suffixes are sorted and their runs counted. The first n entries of
    // `keys` and `runs` (scratch at least as long as `above`) receive them; returns n.
    private int CountContinuations(ulong[] above, int order, ulong[] keys, int[] runs)
    {
        var space = new Divisor(_powers[order]);
        for (int i = 0; i < above.Length; i++)
            keys[i] = space.Remainder(above[i]);
        return NGramCounts.SortAndCountRuns(keys.AsSpan(0, above.Length), runs, KeyBits(order));
    }

    private int KeyBits(int order) => NGramCounts.BitsBelow(_powers[order]);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double[] EstimateDiscounts(KneserNeySmoothing kn, ReadOnlySpan<int> counts)
    {
        if (kn.Discounts is { } fixedDiscounts)
            return [fixedDiscounts[0], fixedDiscounts[1], fixedDiscounts[2]];
        // Chen & Goodman (1998): Y = n1 / (n1 + 2 n2), D_r = r − (r + 1) Y n_{r+1} / n_r.
        var n = new double[5];
        foreach (int c in counts)
            if (c <= 4)
                n[c]++;
        if (n[1] == 0 || n[2] == 0)
            return [0.5, 1.0, 1.5]; // too little data to estimate: conventional values
        double y = n[1] / (n[1] + 2 * n[2]);
        double Clamp(double d, int r) => double.IsFinite(d) ? Math.Clamp(d, 1e-3, r) : r * 0.5;
        return
        [
            Clamp(1 - 2 * y * n[2] / n[1], 1),
            Clamp(2 - 3 * y * n[3] / n[2], 2),
            Clamp(n[3] == 0 ? 2.5 : 3 - 4 * y * n[4] / n[3], 3),
        ];
    }

    /// <summary>
    /// The key of the window after an item's first ids (its last <see cref="BlockSize"/> ids, left-padded with the boundary;
    /// base V, oldest most significant): items with the same key have the same next-symbol distribution.
    /// </summary>
    internal ulong KeyAfter(ReadOnlySpan<int> ids) => ContextKey(ids[^Math.Min(BlockSize, ids.Length)..]);

    private ulong ContextKey(ReadOnlySpan<int> context) => ContextWindow.Key(context, _v);

    private static void ValidateOrder(CharacterVocabulary vocabulary, int order)
    {
        if (order < 1 || order > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"The n-gram order must be between 1 and {MaxOrder}.");
        if (Math.Pow(vocabulary.Size, order) >= Math.Pow(2, 63))
            throw new ArgumentOutOfRangeException(nameof(order), order,
                $"A vocabulary of {vocabulary.Size} symbols is too large for order {order}: V^n must stay below 2^63.");
    }

    /// <summary>
    /// Format 2: vocabulary, order, smoothing, then the counts of every order the smoothing reads (Kneser–Ney: all, lowest
    /// first; add-k: the top one), each as ascending keys (varint gaps) and varint counts, about 3 bytes an n-gram. A
    /// load reads them in key order and computes each level in one pass, without sorting anything.
    /// </summary>
    private void Write(BinaryWriter writer)
    {
        WriteHeader(writer);
        if (Smoothing is not KneserNeySmoothing)
        {
            writer.Write(1);
            Persistence.StateIO.WriteAscending(writer, TopCounts.Keys);
            Persistence.StateIO.WriteCounts(writer, TopCounts.Counts);
            return;
        }
        writer.Write(Order);
        // The lower orders' continuation counts as ContinuationCounts gives them, lowest first, each counted from the keys
        // of the order above (its level's own) in one scratch reused for every order and written at once: holding every
        // order's counts and a copy of its keys, as ContinuationCounts does, cost 84 MB more while an 8-gram model of 886k
        // names was encoded, the peak of its `makemore train`.
        var keys = new ulong[TopCounts.Distinct];
        var runs = new int[TopCounts.Distinct];
        for (int order = 1; order < Order; order++)
        {
            int n = CountContinuations(_levels[order].Keys.Array, order, keys, runs);
            Persistence.StateIO.WriteAscending(writer, keys.AsSpan(0, n));
            Persistence.StateIO.WriteCounts(writer, runs.AsSpan(0, n));
        }
        Persistence.StateIO.WriteAscending(writer, TopCounts.Keys);
        Persistence.StateIO.WriteCounts(writer, TopCounts.Counts);
    }

    private void WriteHeader(BinaryWriter writer)
    {
        Vocabulary.Write(writer);
        writer.Write(Order);
        switch (Smoothing)
        {
            case AddKSmoothing addK:
                writer.Write((byte)1);
                writer.Write(addK.K);
                break;
            case KneserNeySmoothing kn:
                writer.Write((byte)2);
                writer.Write(kn.Discounts is not null);
                foreach (double d in kn.Discounts ?? [])
                    writer.Write(d);
                break;
        }
    }

    private static (CharacterVocabulary, int, Smoothing) ReadHeader(BinaryReader reader)
    {
        var vocabulary = CharacterVocabulary.Read(reader);
        int order = reader.ReadInt32();
        ValidateOrder(vocabulary, order);
        Smoothing smoothing = reader.ReadByte() switch
        {
            1 => new AddKSmoothing(reader.ReadDouble()),
            2 => reader.ReadBoolean()
                ? new KneserNeySmoothing([reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble()])
                : new KneserNeySmoothing(null),
            var b => throw new InvalidDataException($"Unknown smoothing tag {b} in a saved n-gram model."),
        };
        smoothing.Validate();
        return (vocabulary, order, smoothing);
    }

    private const long ParallelDecodeBytes = 1 << 20;

    // Format 2 (see Write).
    private static NGramModel Read(BinaryReader reader)
    {
        var (vocabulary, order, smoothing) = ReadHeader(reader);
        int stored = reader.ReadInt32();
        int expected = smoothing is KneserNeySmoothing ? order : 1;
        if (stored != expected)
            throw new InvalidDataException($"A saved {order}-gram model ({smoothing}) holds the counts of {stored} orders, not {expected}; the model file is damaged.");
        // The blocks are read in order, then decoded over the cores, the highest (largest) order first; a damaged block
        // reports as it would alone (the lowest order's error when several are damaged).
        var blocks = new (int Count, ReadOnlyMemory<byte> Keys, ReadOnlyMemory<byte> Counts, ulong Limit)[stored];
        for (int i = 0; i < stored; i++)
        {
            ulong limit = ContextWindow.Pow(vocabulary.Size, order - stored + 1 + i);
            var (count, keyBytes) = Persistence.StateIO.ReadAscendingBlock(reader, (long)Math.Min(limit, (ulong)Array.MaxLength));
            blocks[i] = (count, keyBytes, Persistence.StateIO.ReadCountsBlock(reader, count), limit);
        }
        var counts = new NGramCounts[stored];
        var errors = new InvalidDataException?[stored];
        void Decode(int i)
        {
            var b = blocks[i];
            try
            {
                ulong[] keys = Persistence.StateIO.DecodeAscending(b.Keys.Span, b.Count, b.Limit);
                counts[i] = NGramCounts.FromSorted(keys, Persistence.StateIO.DecodeCounts(b.Counts.Span, b.Count));
            }
            catch (InvalidDataException e)
            {
                errors[i] = e;
            }
        }
        // A small model decodes on this thread: handing work to the pool would cost more than it saves.
        if (blocks.Sum(b => (long)b.Keys.Length + b.Counts.Length) < ParallelDecodeBytes)
        {
            for (int i = 0; i < stored; i++)
                Decode(i);
        }
        else
        {
            WorkRanges.Run(stored, 1, (first, _) => Decode(stored - 1 - first));
        }
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        try
        {
            return new NGramModel(vocabulary, order, smoothing, counts);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"A saved n-gram model is damaged: {e.Message}", e);
        }
    }

    // Format 1: the top order's counts as (key int64, count int32) pairs; the lower orders are counted again at load.
    private static NGramModel ReadFormat1(BinaryReader reader)
    {
        var (vocabulary, order, smoothing) = ReadHeader(reader);
        int n = reader.ReadInt32();
        ulong limit = ContextWindow.Pow(vocabulary.Size, order);
        if (n < 0 || (ulong)n > limit)
            throw new InvalidDataException($"A saved n-gram model claims {n} distinct n-grams; the model file is damaged.");
        var keys = new ulong[n];
        var counts = new int[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = reader.ReadUInt64();
            counts[i] = reader.ReadInt32();
            if (keys[i] >= limit || counts[i] <= 0)
                throw new InvalidDataException("A saved n-gram model has an invalid count entry; the model file is damaged.");
        }
        NGramCounts top;
        try
        {
            top = NGramCounts.FromPairs(keys, counts, NGramCounts.BitsBelow(limit));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"A saved n-gram model is damaged: {e.Message}", e);
        }
        return new NGramModel(vocabulary, order, smoothing, [top]);
    }

    /// <summary>
    /// The scoring values in sparse form: per order, the seen n-grams' keys (ascending) with ln p, and the seen contexts'
    /// keys (ascending) with ln λ (add-k: ln p of an unseen next symbol); the floor below. What an exporter reads; the key
    /// arrays are the model's own (do not modify them), the logarithms are computed on each call.
    /// </summary>
    internal NGramSparseForm SparseForm()
    {
        var orders = new NGramOrderLogs[_levels.Length];
        for (int i = 0; i < orders.Length; i++)
        {
            var level = _levels[i];
            orders[i] = new NGramOrderLogs(Order - _levels.Length + 1 + i, level.Keys.Array, Array.ConvertAll(level.Probabilities, Math.Log),
                level.ContextKeys(), Array.ConvertAll(level.Weights, Math.Log));
        }
        return Smoothing is AddKSmoothing addK
            ? new NGramSparseForm(orders, Math.Log(addK.K > 0 ? 1.0 / _v : 0.0), BacksOff: false)
            : new NGramSparseForm(orders, Math.Log(1.0 / _v), BacksOff: true);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, string>> Describe()
    {
        var lines = new List<KeyValuePair<string, string>>
        {
            new("order", Order.ToString(CultureInfo.InvariantCulture)),
            new("block size", $"{BlockSize} previous characters"),
            new("smoothing", Smoothing.ToString()!),
            new("counts", string.Create(CultureInfo.InvariantCulture, $"{DistinctNGramCount:N0} distinct {Order}-grams, {EventCount:N0} events")),
        };
        for (int n = 0; n < Discounts.Count; n++)
            lines.Add(new("discounts", $"order {n + 1}: {string.Join(", ", Discounts[n].Select(d => d.ToString("F4", CultureInfo.InvariantCulture)))}"));
        lines.Add(new("memory", string.Create(CultureInfo.InvariantCulture,
            $"{(Bytes < 1_000_000 ? $"{Bytes / 1e3:F1} kB" : $"{Bytes / 1e6:F1} MB")} to score: {_levels.Sum(l => (long)l.Keys.Length):N0} n-grams and {_levels.Sum(l => (long)l.ContextCount):N0} contexts over {_levels.Length} {(_levels.Length == 1 ? "order" : "orders")}")));
        return lines;
    }

    /// <summary>
    /// Saved as kind <c>ngram</c>: vocabulary, order, smoothing, then the counts of every order the smoothing reads, in
    /// key order (format 2). Format 1 (the top order's counts as fixed-width pairs) is still read.
    /// </summary>
    private sealed class Codec : Persistence.ModelCodec<NGramModel>
    {
        public override string Kind => "ngram";

        public override int Version => 2;

        public override int OldestReadVersion => 1;

        protected override void Write(NGramModel model, BinaryWriter writer) => model.Write(writer);

        protected override NGramModel ReadModel(BinaryReader reader) => NGramModel.Read(reader);

        protected override NGramModel ReadModel(BinaryReader reader, int version) =>
            version == 1 ? ReadFormat1(reader) : NGramModel.Read(reader);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Order}-gram model, {Smoothing}, {Vocabulary.Size} symbols, {DistinctNGramCount:N0} distinct n-grams");
}

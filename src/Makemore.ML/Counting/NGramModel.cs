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
    private PackedLevel[]? _packed; // Kneser–Ney's levels for distributions, built on the first one

    private NGramModel(CharacterVocabulary vocabulary, int order, Smoothing smoothing, NGramCounts counts)
    {
        Vocabulary = vocabulary;
        Order = order;
        Smoothing = smoothing;
        _v = vocabulary.Size;
        TopCounts = counts;
        _powers = new ulong[order + 1];
        for (int k = 0; k <= order; k++)
            _powers[k] = ContextWindow.Pow(_v, k);
        _levels = BuildLevels(smoothing, counts);
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
        return new NGramModel(vocabulary, order, smoothing, NGramCounts.Count(vocabulary.Size, order, sequences));
    }

    /// <summary>Returns the same counts with another smoothing (cheap: counting is not repeated). Used to tune smoothing on dev.</summary>
    public NGramModel WithSmoothing(Smoothing smoothing)
    {
        ArgumentNullException.ThrowIfNull(smoothing);
        smoothing.Validate();
        return new NGramModel(Vocabulary, Order, smoothing, TopCounts);
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
        int row = top.RowOf(key);
        if (row < 0)
        {
            // An unseen context: add-k gives the uniform distribution; without smoothing every event has probability 0.
            p.Fill(k > 0 ? 1.0 / _v : 0.0);
            return;
        }
        double denominator = top.Totals[row] + k * _v;
        p.Fill(k / denominator);
        for (int e = top.RowStart[row]; e < top.RowStart[row + 1]; e++)
            p[top.Next[e]] = (top.Counts[e] + k) / denominator;
    }

    private void KneserNeyProbabilities(ulong key, Span<double> p)
    {
        var packed = _packed ?? Interlocked.CompareExchange(ref _packed, Array.ConvertAll(_levels, PackedLevel.From), null) ?? _packed;
        p.Fill(1.0 / _v); // order 0: uniform
        for (int n = 1; n <= Order; n++)
        {
            if (!packed[n - 1].Interpolate(n == 1 ? 0 : key % _powers[n - 1], p))
                break; // an unseen context is unseen at every higher order too
        }
    }

    /// <summary>
    /// The levels, laid out from the counts in ascending key order (the lower orders' keys radix-sorted in turn): grouping
    /// them through dictionaries had cost twice the counting itself.
    /// </summary>
    private NGramLevel[] BuildLevels(Smoothing smoothing, NGramCounts top)
    {
        if (smoothing is AddKSmoothing)
            return [NGramLevel.AddK(_v, top.Keys, top.Counts)];
        if (smoothing is not KneserNeySmoothing kn)
            throw new InvalidOperationException($"Unknown smoothing {smoothing}.");
        int n = top.Distinct;
        ulong[] keys = ArrayPool<ulong>.Shared.Rent(Math.Max(1, n));
        int[] counts = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        try
        {
            top.Keys.CopyTo(keys, 0);
            top.Counts.CopyTo(counts, 0);
            return BuildKneserNey(kn, keys, counts, n);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    /// <summary>
    /// Kneser–Ney's levels from the top order's sorted keys and counts (<paramref name="n"/> of them), top down. The
    /// buffers are reused for each lower order, which has at most as many distinct keys as the order above.
    /// </summary>
    private NGramLevel[] BuildKneserNey(KneserNeySmoothing kn, ulong[] keys, int[] counts, int n)
    {
        // Order N uses raw counts. A lower order n uses continuation counts N1+(• h c): the number of distinct
        // symbols seen before (h c), because it only speaks when the longer context is rare (Chen & Goodman 1998).
        // Boundary padding counts as a symbol like any other. (KenLM instead keeps raw counts for n-grams that start
        // with padding; on the lecture split that costs 0.025 nats at order 6, so we follow Chen & Goodman.)
        var levels = new NGramLevel[Order];
        levels[Order - 1] = NGramLevel.KneserNey(_v, keys.AsSpan(0, n), counts.AsSpan(0, n), EstimateDiscounts(kn, counts.AsSpan(0, n)));
        for (int order = Order - 1; order >= 1; order--)
        {
            // Each distinct (n+1)-gram is one symbol seen before its n-symbol suffix: sort the suffixes and count the runs.
            var space = new Divisor(_powers[order]);
            for (int i = 0; i < n; i++)
                keys[i] = space.Remainder(keys[i]);
            n = NGramCounts.SortAndCountRuns(keys.AsSpan(0, n), counts, KeyBits(order));
            levels[order - 1] = NGramLevel.KneserNey(_v, keys.AsSpan(0, n), counts.AsSpan(0, n), EstimateDiscounts(kn, counts.AsSpan(0, n)));
        }
        return levels;
    }

    private int KeyBits(int order) => NGramCounts.BitsBelow(_powers[order]);

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

    private void Write(BinaryWriter writer)
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
        writer.Write(TopCounts.Distinct);
        for (int i = 0; i < TopCounts.Distinct; i++)
        {
            writer.Write(TopCounts.Keys[i]);
            writer.Write(TopCounts.Counts[i]);
        }
    }

    private static NGramModel Read(BinaryReader reader)
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
        return new NGramModel(vocabulary, order, smoothing, top);
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
        return lines;
    }

    /// <summary>Saved as kind <c>ngram</c>: vocabulary, order, smoothing, then the top-order counts sorted by key.</summary>
    private sealed class Codec : Persistence.ModelCodec<NGramModel>
    {
        public override string Kind => "ngram";

        public override int Version => 1;

        protected override void Write(NGramModel model, BinaryWriter writer) => model.Write(writer);

        protected override NGramModel ReadModel(BinaryReader reader) => NGramModel.Read(reader);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Order}-gram model, {Smoothing}, {Vocabulary.Size} symbols, {DistinctNGramCount:N0} distinct n-grams");
}

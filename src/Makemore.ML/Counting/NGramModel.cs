using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Counting;

/// <summary>
/// A character n-gram count model of any order 1–8: the lecture's bigram table generalised, with add-k or
/// interpolated (modified) Kneser–Ney smoothing. Each item is padded with n − 1 boundary tokens in front and
/// one boundary token (the end token) behind. Pure C#.
/// </summary>
public sealed class NGramModel : WindowLanguageModel
{
    /// <summary>The highest order supported.</summary>
    public const int MaxOrder = 8;

    private readonly int _v;
    private readonly ulong[] _powers; // V^k, k = 0..order
    private readonly NGramLevel[] _levels; // _levels[n - 1] holds order n (context length n − 1); add-k keeps only the top one
    private NGramScoringTable? _scoring; // built on the first scoring call: fitting and WithSmoothing stay cheap
    private PackedLevel[]? _packed; // Kneser–Ney's levels for distributions, built on the first one

    private NGramModel(CharacterVocabulary vocabulary, int order, Smoothing smoothing, Dictionary<ulong, int> counts)
    {
        Vocabulary = vocabulary;
        Order = order;
        Smoothing = smoothing;
        _v = vocabulary.Size;
        TopCounts = counts;
        _powers = new ulong[order + 1];
        for (int k = 0; k <= order; k++)
            _powers[k] = Pow(_v, k);
        _levels = smoothing switch
        {
            AddKSmoothing => [NGramLevel.Build(_v, counts, discounts: null)],
            KneserNeySmoothing kn => BuildKneserNey(kn, counts),
            _ => throw new InvalidOperationException($"Unknown smoothing {smoothing}."),
        };
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
    public int DistinctNGramCount => TopCounts.Count;

    /// <summary>Number of predicted characters counted in training (the end tokens included).</summary>
    public long EventCount => TopCounts.Values.Sum(c => (long)c);

    /// <summary>The discounts (D1, D2, D3+) used at each order, lowest order first, for Kneser–Ney; empty for add-k.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Discounts =>
        Smoothing is KneserNeySmoothing ? _levels.Select(l => (IReadOnlyList<double>)l.Discounts!).ToArray() : [];

    /// <summary>Raw counts of the top order, keyed by the n-gram's base-V number (oldest symbol most significant).</summary>
    internal Dictionary<ulong, int> TopCounts { get; }

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
        int v = vocabulary.Size;
        ulong oldestWeight = Pow(v, order - 1);
        var counts = new Dictionary<ulong, int>();
        foreach (int[] ids in sequences)
        {
            ulong context = 0; // all boundary padding: the boundary id is 0
            for (int i = 0; i <= ids.Length; i++)
            {
                int target = i < ids.Length ? ids[i] : 0;
                if ((uint)target >= (uint)v)
                    throw new ArgumentException($"Id {target} is outside the vocabulary of {v} symbols.", nameof(sequences));
                ulong key = context * (ulong)v + (ulong)target;
                CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;
                // Drop the oldest symbol by subtraction: a 64-bit modulo per event cost more than the dictionary update.
                int oldest = i - (order - 1);
                context = key - (oldest >= 0 ? (ulong)(oldest < ids.Length ? ids[oldest] : 0) : 0) * oldestWeight;
            }
        }
        return new NGramModel(vocabulary, order, smoothing, counts);
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
        TopCounts.GetValueOrDefault(ContextKey(context) * (ulong)_v + (ulong)next);

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
        if (!top.Rows.TryGetValue(key, out int row))
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

    private NGramLevel[] BuildKneserNey(KneserNeySmoothing kn, Dictionary<ulong, int> top)
    {
        // Order N uses raw counts. A lower order n uses continuation counts N1+(• h c): the number of distinct
        // symbols seen before (h c), because it only speaks when the longer context is rare (Chen & Goodman 1998).
        // Boundary padding counts as a symbol like any other. (KenLM instead keeps raw counts for n-grams that start
        // with padding; on the lecture split that costs 0.025 nats at order 6, so we follow Chen & Goodman.)
        // Each lower order is one linear pass over the keys of the order above (the distinct n-grams), no sorting.
        var levels = new NGramLevel[Order];
        Dictionary<ulong, int> counts = top;
        levels[Order - 1] = NGramLevel.Build(_v, counts, EstimateDiscounts(kn, counts));
        for (int n = Order - 1; n >= 1; n--)
        {
            ulong space = _powers[n];
            var continuation = new Dictionary<ulong, int>(counts.Count);
            foreach (ulong key in counts.Keys)
                CollectionsMarshal.GetValueRefOrAddDefault(continuation, key % space, out _)++;
            levels[n - 1] = NGramLevel.Build(_v, continuation, EstimateDiscounts(kn, continuation));
            counts = continuation;
        }
        return levels;
    }

    private static double[] EstimateDiscounts(KneserNeySmoothing kn, Dictionary<ulong, int> counts)
    {
        if (kn.Discounts is { } fixedDiscounts)
            return [fixedDiscounts[0], fixedDiscounts[1], fixedDiscounts[2]];
        // Chen & Goodman (1998): Y = n1 / (n1 + 2 n2), D_r = r − (r + 1) Y n_{r+1} / n_r.
        var n = new double[5];
        foreach (int c in counts.Values)
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

    private ulong ContextKey(ReadOnlySpan<int> context)
    {
        ulong key = 0;
        foreach (int id in context)
        {
            if ((uint)id >= (uint)_v)
                throw new ArgumentOutOfRangeException(nameof(context), id, $"Id outside the vocabulary of {_v} symbols.");
            key = key * (ulong)_v + (ulong)id;
        }
        return key;
    }

    private static void ValidateOrder(CharacterVocabulary vocabulary, int order)
    {
        if (order < 1 || order > MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"The n-gram order must be between 1 and {MaxOrder}.");
        if (Math.Pow(vocabulary.Size, order) >= Math.Pow(2, 63))
            throw new ArgumentOutOfRangeException(nameof(order), order,
                $"A vocabulary of {vocabulary.Size} symbols is too large for order {order}: V^n must stay below 2^63.");
    }

    internal static ulong Pow(int v, int e)
    {
        ulong r = 1;
        for (int i = 0; i < e; i++)
            r *= (ulong)v;
        return r;
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
        writer.Write(TopCounts.Count);
        foreach ((ulong key, int count) in TopCounts.OrderBy(p => p.Key))
        {
            writer.Write(key);
            writer.Write(count);
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
        var counts = new Dictionary<ulong, int>(n);
        ulong limit = Pow(vocabulary.Size, order);
        for (int i = 0; i < n; i++)
        {
            ulong key = reader.ReadUInt64();
            int count = reader.ReadInt32();
            if (key >= limit || count <= 0)
                throw new InvalidDataException("A saved n-gram model has an invalid count entry; the model file is damaged.");
            counts[key] = count;
        }
        return new NGramModel(vocabulary, order, smoothing, counts);
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

        protected override NGramModel ReadModel(int version, BinaryReader reader) => NGramModel.Read(reader);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Order}-gram model, {Smoothing}, {Vocabulary.Size} symbols, {DistinctNGramCount:N0} distinct n-grams");
}

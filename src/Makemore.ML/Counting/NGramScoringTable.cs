using Makemore.ML.Text;

namespace Makemore.ML.Counting;

/// <summary>
/// Precomputed ln p for scoring with an <see cref="NGramModel"/>: one table lookup per character instead of a whole
/// next-symbol distribution (every order × V for Kneser–Ney). Small models (V^n up to <see cref="DenseLimit"/>) get a dense
/// table of ln p(c | h) for every context and symbol, computed with <see cref="NGramModel.GetNextProbabilities"/> itself, so
/// identical to it. Larger ones keep, per order, ln p of every seen n-gram (the full interpolated probability at that
/// order) and, per seen context, ln λ(h), the weight of the order below (Kneser–Ney) or ln p of an unseen next symbol
/// (add-k): then ln p(c | h) = the stored value if (h, c) was seen, else ln λ(h) + ln p(c | h′), where a context unseen at
/// the top order goes straight to the order below. Equal to the distribution's ln p up to rounding (1e-15 relative).
/// </summary>
internal sealed class NGramScoringTable
{
    /// <summary>Most entries of a dense table: 2^20 doubles, 8 MB (V = 27: orders 1–4).</summary>
    public const long DenseLimit = 1L << 20;

    private readonly int _v;
    private readonly int _order;
    private readonly ulong[] _powers; // V^k, k = 0..order
    private readonly double[]? _dense; // [h·V + c]
    private readonly NGramKeyTable<double>[] _seen; // [n − 1]: ln p_n(c | h) per seen n-gram of order n
    private readonly NGramKeyTable<double>[] _rows; // [n − 1]: per seen context of order n, ln λ(h) (Kneser–Ney) or ln p of an unseen next (add-k)
    private readonly bool _backsOff;
    private readonly double _floor; // below every order: ln(1/V) for Kneser–Ney; an unseen context for add-k

    private NGramScoringTable(int v, int order, double[]? dense, NGramKeyTable<double>[] seen, NGramKeyTable<double>[] rows, bool backsOff, double floor)
    {
        _v = v;
        _order = order;
        _powers = new ulong[order + 1];
        for (int k = 0; k <= order; k++)
            _powers[k] = ContextWindow.Pow(v, k);
        _dense = dense;
        _seen = seen;
        _rows = rows;
        _backsOff = backsOff;
        _floor = floor;
    }

    /// <summary>Whether the table is the dense layout.</summary>
    public bool IsDense => _dense is not null;

    /// <summary>The dense table, ln p(c | h) at [h·V + c], or null for the sparse layout.</summary>
    internal double[]? DenseTable => _dense;

    /// <summary>Sparse layout, per order n at [n − 1]: ln p_n(c | h) of every seen n-gram, keyed h·V + c.</summary>
    internal IReadOnlyList<NGramKeyTable<double>> Seen => _seen;

    /// <summary>Sparse layout, per order n at [n − 1]: per seen context h, ln λ(h) (Kneser–Ney) or ln p of an unseen next symbol (add-k).</summary>
    internal IReadOnlyList<NGramKeyTable<double>> Rows => _rows;

    /// <summary>Whether an unseen n-gram backs off to the order below (Kneser–Ney); add-k has one order.</summary>
    internal bool BacksOff => _backsOff;

    /// <summary>Below every order: ln(1/V) for Kneser–Ney; the value of an unseen context for add-k.</summary>
    internal double Floor => _floor;

    /// <summary>Bytes held by the tables.</summary>
    public long Bytes => (_dense?.LongLength ?? 0) * sizeof(double) + _seen.Sum(t => t.Bytes) + _rows.Sum(t => t.Bytes);

    /// <summary>Builds the tables of a model whose levels (lowest order first; add-k: the top order only) are given.</summary>
    /// <param name="model">The model.</param>
    /// <param name="levels">Its levels.</param>
    /// <param name="denseLimit">Most entries of a dense table; larger models get the sparse layout (tests use 0 to check it on small models).</param>
    public static NGramScoringTable Create(NGramModel model, IReadOnlyList<NGramLevel> levels, long denseLimit = DenseLimit)
    {
        int v = model.Vocabulary.Size;
        int order = model.Order;
        if ((double)ContextWindow.Pow(v, order) <= denseLimit)
            return new NGramScoringTable(v, order, Dense(model), [], [], backsOff: false, floor: 0);
        return model.Smoothing switch
        {
            AddKSmoothing addK => AddK(v, order, addK.K, levels[0]),
            _ => KneserNey(v, order, levels),
        };
    }

    private static double[] Dense(NGramModel model)
    {
        int v = model.Vocabulary.Size;
        int contextLength = model.Order - 1;
        ulong contexts = ContextWindow.Pow(v, contextLength);
        var table = new double[(long)contexts * v];
        Span<int> context = stackalloc int[contextLength];
        Span<double> p = v <= 256 ? stackalloc double[v] : new double[v];
        for (ulong h = 0; h < contexts; h++)
        {
            ContextWindow.Decode(h, v, context);
            model.GetNextProbabilities(context, p);
            for (int c = 0; c < v; c++)
                table[ContextWindow.Append(h, v, c)] = Math.Log(p[c]);
        }
        return table;
    }

    private static NGramScoringTable AddK(int v, int order, double k, NGramLevel top)
    {
        var seen = new NGramKeyTable<double>(top.EntryCount);
        var rows = new NGramKeyTable<double>(top.RowContext.Length);
        for (int r = 0; r < top.RowContext.Length; r++)
        {
            double denominator = top.Totals[r] + k * v; // as NGramModel.GetNextProbabilities computes it
            rows.Set(top.RowContext[r], Math.Log(k / denominator));
            for (int e = top.RowStart[r]; e < top.RowStart[r + 1]; e++)
                seen.Set(ContextWindow.Append(top.RowContext[r], v, top.Next[e]), Math.Log((top.Counts[e] + k) / denominator));
        }
        return new NGramScoringTable(v, order, null, [seen], [rows], backsOff: false, floor: Math.Log(k > 0 ? 1.0 / v : 0.0));
    }

    private static NGramScoringTable KneserNey(int v, int order, IReadOnlyList<NGramLevel> levels)
    {
        // Bottom-up, with the operations of NGramModel.GetNextProbabilities in the same order (p ← p·λ + share), so each
        // stored probability is bit-identical to the distribution's: a seen n-gram's suffixes are seen at every lower order.
        var seen = new NGramKeyTable<double>[order];
        var rows = new NGramKeyTable<double>[order];
        for (int n = 1; n <= order; n++)
        {
            NGramLevel level = levels[n - 1];
            ulong lowerSpace = ContextWindow.Pow(v, n - 1);
            seen[n - 1] = new NGramKeyTable<double>(level.EntryCount);
            rows[n - 1] = new NGramKeyTable<double>(level.RowContext.Length);
            for (int r = 0; r < level.RowContext.Length; r++)
            {
                double lambda = level.Lambdas[r];
                ulong context = level.RowContext[r];
                rows[n - 1].Set(context, Math.Log(lambda));
                for (int e = level.RowStart[r]; e < level.RowStart[r + 1]; e++)
                {
                    ulong key = ContextWindow.Append(context, v, level.Next[e]);
                    double lower = 1.0 / v;
                    if (n > 1 && !seen[n - 2].TryGetValue(key % lowerSpace, out lower))
                        throw new InvalidOperationException("A Kneser–Ney n-gram has no suffix at the order below: the levels are inconsistent.");
                    double p = lower * lambda;
                    p += level.Shares[e];
                    seen[n - 1].Set(key, p);
                }
            }
        }
        foreach (var table in seen)
            table.Transform(Math.Log);
        return new NGramScoringTable(v, order, null, seen, rows, backsOff: true, floor: Math.Log(1.0 / v));
    }

    /// <summary>Writes ln p of each character of <paramref name="ids"/> and of the end token, as <see cref="Inference.ILanguageModel.LogProbabilities"/>.</summary>
    public void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        if (_backsOff)
            KneserNeyLogProbabilities(ids, logProbabilities);
        else if (_dense is { } dense)
            DenseLogProbabilities(dense, ids, logProbabilities);
        else
            AddKLogProbabilities(ids, logProbabilities);
    }

    /// <summary>True when <see cref="LogLikelihood"/> applies: a dense table and no backoff, so a sum needs one lookup per symbol.</summary>
    public bool SumsAsItReads => !_backsOff && _dense is not null;

    /// <summary>
    /// Σ ln p over the characters of <paramref name="ids"/> and the end token, summed as it reads: <see cref="LogProbabilities"/>
    /// summed in order, without a buffer. Only where <see cref="SumsAsItReads"/>.
    /// </summary>
    public double LogLikelihood(ReadOnlySpan<int> ids)
    {
        if (_dense is not { } dense || _backsOff)
            throw new InvalidOperationException("Only a dense table without backoff sums as it reads; use LogProbabilities.");
        return DenseLogProbabilities(dense, ids, default);
    }

    // The dense table (at most 2^20 entries, so int keys): one lookup per symbol, written to `into` unless it is empty;
    // returns their sum, added in order.
    private double DenseLogProbabilities(double[] dense, ReadOnlySpan<int> ids, Span<double> into)
    {
        int v = _v, history = _order - 1;
        ulong oldestWeight = _powers[history], context = 0;
        bool write = !into.IsEmpty;
        double sum = 0;
        for (int i = 0; i <= ids.Length; i++)
        {
            ulong key = ContextWindow.Append(context, v, Target(ids, i));
            double logP = dense[(int)key];
            if (write)
                into[i] = logP;
            sum += logP;
            context = ContextWindow.Slide(key, ids, i, history, oldestWeight);
        }
        return sum;
    }

    // Add-k past the dense limit: the seen n-gram, else the context's unseen-symbol value, else the floor (an unseen context).
    private void AddKLogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        int history = _order - 1;
        ulong oldestWeight = _powers[history];
        ulong context = 0; // the previous order − 1 symbols, boundary-padded
        for (int i = 0; i <= ids.Length; i++)
        {
            ulong key = ContextWindow.Append(context, _v, Target(ids, i));
            logProbabilities[i] = AddKLookup(key, context);
            context = ContextWindow.Slide(key, ids, i, history, oldestWeight);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private int Target(ReadOnlySpan<int> ids, int position)
    {
        int target = ContextWindow.At(ids, position);
        if ((uint)target >= (uint)_v)
            ThrowOutsideVocabulary(target);
        return target;
    }

    private void ThrowOutsideVocabulary(int id) =>
        throw new ArgumentOutOfRangeException("ids", id, $"Id outside the vocabulary of {_v} symbols.");

    private double AddKLookup(ulong key, ulong context) =>
        _seen[0].TryGetValue(key, out double logP) || _rows[0].TryGetValue(context, out logP) ? logP : _floor;

    /// <remarks>
    /// The search for each symbol starts at the order just above the one that spoke for the previous symbol: if the
    /// previous symbol's longest seen n-gram had order k, the current context has been seen at order k + 1 at most (a
    /// context seen at order m + 1 is an m-gram that occurred, whose prefix was then seen at order m). The orders above
    /// have unseen contexts, which add nothing (weight 1), so skipping their two probes changes no value.
    /// </remarks>
    private void KneserNeyLogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        int start = _order;
        for (int i = 0; i <= ids.Length; i++)
        {
            int target = Target(ids, i);
            ulong context = ContextWindow.Key(ids, i, start - 1, _v); // the start − 1 symbols before position i
            ulong key = ContextWindow.Append(context, _v, target);
            double logWeights = 0;
            int n = start;
            for (; n >= 1; n--)
            {
                if (_seen[n - 1].TryGetValue(key, out double logP))
                {
                    logWeights += logP;
                    break;
                }
                if (_rows[n - 1].TryGetValue(context, out double logLambda))
                    logWeights += logLambda; // an unseen context: the order below speaks alone (weight 1)
                if (n == 1)
                {
                    logWeights += _floor;
                    n = 0;
                    break;
                }
                ulong oldest = (ulong)ContextWindow.At(ids, i - (n - 1));
                key -= oldest * _powers[n - 1];
                context -= oldest * _powers[n - 2];
            }
            logProbabilities[i] = logWeights;
            start = Math.Min(_order, n + 1);
        }
    }
}

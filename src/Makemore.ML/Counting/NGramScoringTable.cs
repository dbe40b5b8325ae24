using Makemore.ML.Text;

namespace Makemore.ML.Counting;

/// <summary>
/// ln p for scoring with an <see cref="NGramModel"/>: one lookup per character instead of a whole next-symbol distribution
/// (every order × V for Kneser–Ney). Small models (V^n up to <see cref="DenseLimit"/>) get a dense table of ln p(c | h) for
/// every context and symbol, computed with <see cref="NGramModel.GetNextProbabilities"/> itself, so identical to it.
/// Larger ones read the model's levels (<see cref="NGramLevel"/>): per order, p of every seen n-gram (the full interpolated
/// probability at that order) and, per seen context, λ(h), the weight of the order below (Kneser–Ney), or p of an unseen
/// next symbol (add-k): then ln p(c | h) = ln of the stored value if (h, c) was seen, else ln λ(h) + ln p(c | h′), where a
/// context unseen at the top order goes straight to the order below. The logarithm is taken as it reads (a few
/// nanoseconds, where a second table of logarithms would double the model's memory). Equal to the distribution's ln p up
/// to rounding (1e-15 relative).
/// </summary>
internal sealed class NGramScoringTable
{
    /// <summary>Most entries of a dense table: 2^20 doubles, 8 MB (V = 27: orders 1–4).</summary>
    public const long DenseLimit = 1L << 20;

    private readonly int _v;
    private readonly int _order;
    private readonly ulong[] _powers; // V^k, k = 0..order
    private readonly double[]? _dense; // [h·V + c]
    private readonly IReadOnlyList<NGramLevel> _levels; // the model's own: [n − 1] holds order n (add-k: the top order only)
    private readonly bool _backsOff;
    private readonly double _floor; // below every order: ln(1/V) for Kneser–Ney; an unseen context for add-k

    private NGramScoringTable(int v, int order, double[]? dense, IReadOnlyList<NGramLevel> levels, bool backsOff, double floor)
    {
        _v = v;
        _order = order;
        _powers = new ulong[order + 1];
        for (int k = 0; k <= order; k++)
            _powers[k] = ContextWindow.Pow(v, k);
        _dense = dense;
        _levels = levels;
        _backsOff = backsOff;
        _floor = floor;
    }

    /// <summary>Whether the table is the dense layout.</summary>
    public bool IsDense => _dense is not null;

    /// <summary>The dense table, ln p(c | h) at [h·V + c], or null for the sparse layout.</summary>
    internal double[]? DenseTable => _dense;

    /// <summary>Builds the tables of a model whose levels (lowest order first; add-k: the top order only) are given.</summary>
    /// <param name="model">The model.</param>
    /// <param name="levels">Its levels.</param>
    /// <param name="denseLimit">Most entries of a dense table; larger models get the sparse layout (tests use 0 to check it on small models).</param>
    public static NGramScoringTable Create(NGramModel model, IReadOnlyList<NGramLevel> levels, long denseLimit = DenseLimit)
    {
        int v = model.Vocabulary.Size;
        int order = model.Order;
        if (DenseEntries(v, order, denseLimit) > 0)
            return new NGramScoringTable(v, order, Dense(model), levels, backsOff: false, floor: 0);
        return model.Smoothing switch
        {
            AddKSmoothing addK => new NGramScoringTable(v, order, null, levels, backsOff: false, floor: Math.Log(addK.K > 0 ? 1.0 / v : 0.0)),
            _ => new NGramScoringTable(v, order, null, levels, backsOff: true, floor: Math.Log(1.0 / v)),
        };
    }

    /// <summary>The entries of the dense table a model of <paramref name="v"/> symbols and order <paramref name="order"/> gets (V^n), or 0 when it gets the sparse layout.</summary>
    public static long DenseEntries(int v, int order, long denseLimit = DenseLimit)
    {
        ulong entries = ContextWindow.Pow(v, order);
        return (double)entries <= denseLimit ? (long)entries : 0;
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

    private double AddKLookup(ulong key, ulong context)
    {
        NGramLevel top = _levels[0];
        int at = top.Find(key, (int)(key - context * (ulong)_v), out int row);
        if (at >= 0)
            return Math.Log(top.Probabilities[at]);
        return row >= 0 ? Math.Log(top.Weights[row]) : _floor;
    }

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
                NGramLevel level = _levels[n - 1];
                int at = level.Find(key, target, out int row);
                if (at >= 0)
                {
                    logWeights += Math.Log(level.Probabilities[at]);
                    break;
                }
                if (row >= 0)
                    logWeights += Math.Log(level.Weights[row]); // an unseen context: the order below speaks alone (weight 1)
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

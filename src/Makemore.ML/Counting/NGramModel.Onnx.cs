using Makemore.ML.Onnx;

namespace Makemore.ML.Counting;

/// <summary>The n-gram model's ONNX graph: the scoring table (<see cref="NGramScoringTable"/>) as lookups over int64 keys.</summary>
public sealed partial class NGramModel : IOnnxExportable
{
    int? IOnnxExportable.OnnxBlockSize => BlockSize;

    /// <remarks>
    /// The graph computes the key h of each position's window (base V, oldest symbol most significant). A dense scoring
    /// table becomes one Gather of row h from its (V^(n−1), V) table of ln p. The sparse one looks up the key of every
    /// candidate n-gram, h·V + c for c = 0…V−1, with, per order, LabelEncoder lookups (<c>ai.onnx.ml</c>) of ln p of the seen n-grams and ln λ of the seen contexts, with
    /// NaN marking "not seen": add-k takes the seen value, else the context's unseen-symbol value, else the floor;
    /// Kneser–Ney builds ln p bottom-up, L₀ = ln(1/V), Lₙ = seen ? ln pₙ : ln λₙ(h) + Lₙ₋₁, which is the scoring table's
    /// top-down backoff. Keys stay below V^n &lt; 2^63, which the model guarantees for every order it accepts.
    /// </remarks>
    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        if (Math.Pow(_v, Order) >= Math.Pow(2, 63))
            throw new NotSupportedException($"An order-{Order} model over {_v} symbols has n-gram keys up to {_v}^{Order}, past int64 (2^63): it cannot be exported to ONNX.");
        var table = ScoringTable;
        var context = OnnxWindows.Key(graph, idx, BlockSize, _v);                                  // (B, T)
        if (table.DenseTable is { } dense)
        {
            // the table's row of each context: ln p(· | h) at [h, ·]
            var logP = graph.Initializer([.. dense.Select(d => (float)d)], dense.LongLength / _v, _v); // (V^(n−1), V)
            return graph.Gather(logP, context);                                                    // (B, T, V)
        }
        var form = SparseForm();
        var symbols = graph.Int64s([.. Enumerable.Range(0, _v).Select(c => (long)c)]);             // (V)
        var contextColumn = graph.Unsqueeze(context, 2);                                           // (B, T, 1)
        var keys = graph.Add(graph.Mul(contextColumn, graph.Scalar((long)_v)), symbols);           // (B, T, V)
        var floor = graph.Scalar((float)form.Floor);
        if (!form.BacksOff)
        {
            // add-k: the seen n-gram, else the context's value for an unseen symbol, else (an unseen context) the floor
            var top = form.Orders[^1];
            var seen = graph.LabelEncoder(keys, Longs(top.Keys), Floats(top.LogProbabilities), float.NaN);          // (B, T, V)
            var row = graph.LabelEncoder(contextColumn, Longs(top.Contexts), Floats(top.LogWeights), float.NaN);   // (B, T, 1)
            var unseen = graph.Where(graph.IsNaN(row), floor, row);                                // (B, T, 1)
            return graph.Where(graph.IsNaN(seen), unseen, seen);                                   // (B, T, V)
        }
        var logProbabilities = floor;
        foreach (var level in form.Orders)
        {
            int n = level.Order;
            var keysN = n == Order ? keys : graph.Mod(keys, graph.Scalar((long)_powers[n]));     // (B, T, V): the last n symbols
            var seen = graph.LabelEncoder(keysN, Longs(level.Keys), Floats(level.LogProbabilities), float.NaN); // (B, T, V)
            // ln λ of the context of n − 1 symbols; 0 (weight 1) where it was never seen
            OnnxValue logLambda;
            if (n == 1)
            {
                int empty = Array.BinarySearch(level.Contexts, 0UL);
                logLambda = graph.Scalar(empty >= 0 ? (float)level.LogWeights[empty] : 0f);
            }
            else
            {
                var contextN = graph.Mod(contextColumn, graph.Scalar((long)_powers[n - 1]));      // (B, T, 1)
                logLambda = graph.LabelEncoder(contextN, Longs(level.Contexts), Floats(level.LogWeights), 0f);
            }
            logProbabilities = graph.Where(graph.IsNaN(seen), graph.Add(logLambda, logProbabilities), seen); // (B, T, V)
        }
        return logProbabilities;
    }

    // The sparse form's keys are ascending already: the same model gives the same bytes.
    private static long[] Longs(ulong[] keys) => Array.ConvertAll(keys, k => (long)k);

    private static float[] Floats(double[] values) => Array.ConvertAll(values, v => (float)v);
}

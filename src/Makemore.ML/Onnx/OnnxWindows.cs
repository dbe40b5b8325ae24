namespace Makemore.ML.Onnx;

/// <summary>
/// The left-padded context window (<see cref="Text.ContextWindow"/>) in a graph: at each position t of <c>idx</c>, the
/// <c>n</c> ids ending at idx[t], padded on the left with the boundary id 0. Since idx starts with the boundary, the window
/// at position t is exactly the context the C# window models read before predicting the symbol after idx[t].
/// </summary>
internal static class OnnxWindows
{
    /// <summary>The windows' columns: <c>n</c> int64 tensors [B, T], oldest first (column j holds idx[t − n + 1 + j], or 0 before the start).</summary>
    public static OnnxValue[] Columns(OnnxGraph graph, OnnxValue idx, int n)
    {
        if (n < 1)
            return [];
        // padded = [0]*(n − 1) ++ idx                                       (B, T + n − 1)
        var padded = n == 1 ? idx : graph.Pad(idx, [0, n - 1, 0, 0], graph.Scalar(0L));
        var columns = new OnnxValue[n];
        for (int j = 0; j < n; j++)
        {
            // padded[:, j : j + T]: the end counted from the back, so T is never needed   (B, T)
            long end = j - (n - 1);
            columns[j] = end == 0 ? (j == 0 ? padded : graph.Slice(padded, [j], [long.MaxValue], [1])) : graph.Slice(padded, [j], [end], [1]);
        }
        return columns;
    }

    /// <summary>The windows as one tensor: int64 [B, T, n].</summary>
    public static OnnxValue Stack(OnnxGraph graph, OnnxValue idx, int n)
    {
        var columns = Columns(graph, idx, n).Select(c => graph.Unsqueeze(c, 2)).ToArray();
        return columns.Length == 1 ? columns[0] : graph.Concat(2, columns);
    }

    /// <summary>
    /// The windows' keys, base <paramref name="v"/>, oldest id most significant (<see cref="Text.ContextWindow.Key(ReadOnlySpan{int}, int)"/>):
    /// int64 [B, T]; all zeros for an empty window. The caller keeps v^n below 2^63.
    /// </summary>
    public static OnnxValue Key(OnnxGraph graph, OnnxValue idx, int n, int v)
    {
        var columns = Columns(graph, idx, n);
        if (columns.Length == 0)
            return graph.Mul(idx, graph.Scalar(0L)); // the empty window: key 0 at every position   (B, T)
        var key = columns[0];
        for (int j = 1; j < n; j++)
            key = graph.Add(graph.Mul(key, graph.Scalar((long)v)), columns[j]); // Horner: key · V + id   (B, T)
        return key;
    }
}

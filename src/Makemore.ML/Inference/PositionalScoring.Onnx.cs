using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>Whole-item scoring of a positional network in an ONNX graph, with the same sliding window past the block size.</summary>
internal static partial class PositionalScoring
{
    /// <summary>
    /// The log-probabilities (B, T, V) of a network with learned positions 0…<paramref name="blockSize"/> − 1 over
    /// <c>idx</c> (B, T) of any length, as <see cref="LogProbabilities{TWorkspace}"/> computes them: positions t &lt; block
    /// size read idx[.., 0..t] in one causal pass over the first block; each later position t reads the window
    /// idx[.., t − block size + 1 .. t] again at positions 0…block size − 1 (the boundary drops out of the window, as
    /// makemore.py samples) and keeps the window's last row.
    /// </summary>
    /// <remarks>
    /// The first block and the windows go through the network as one batch of B + B·K rows of L = min(T, block size)
    /// positions: when there are windows (T &gt; block size), L is the block size; when there are none, the batch is the
    /// first block alone. So the graph holds one copy of the network, and a batch of short names costs their length, not
    /// the block size.
    /// </remarks>
    /// <param name="graph">The graph being built.</param>
    /// <param name="idx">int64 (B, T).</param>
    /// <param name="blockSize">The positions the network learned.</param>
    /// <param name="network">
    /// The network's causal pass: tokens int64 (N, L) with L ≤ block size, and L as a 1-D int64 tensor of one value, to
    /// float32 logits (N, L, V), row l reading tokens[.., 0..l] at positions 0…l.
    /// </param>
    public static OnnxValue OnnxLogProbabilities(OnnxGraph graph, OnnxValue idx, int blockSize, Func<OnnxValue, OnnxValue, OnnxValue> network)
    {
        var batch = graph.Shape(idx, 0, 1);                                                             // [B]
        var time = graph.Shape(idx, 1, 2);                                                              // [T]
        var head = graph.Slice(idx, [0], [blockSize], [1]);                                             // (B, L)
        var length = graph.Shape(head, 1, 2);                                                           // [L]
        // window k (k = 1 … T − block) is idx[.., k .. k + block − 1]         (B·K, L): K = 0 unless L = block
        var starts = graph.Range(graph.Scalar(1L), graph.Squeeze(graph.Sub(time, graph.Int64s(blockSize - 1)), 0), graph.Scalar(1L)); // (K)
        var offsets = graph.Initializer(Enumerable.Range(0, blockSize).Select(p => (long)p).ToArray(), 1, blockSize);
        var windows = graph.Gather(idx, graph.Add(graph.Unsqueeze(starts, 1), offsets), axis: 1);      // (B, K, block)
        var count = graph.Shape(starts);                                                                // [K]
        var rows = graph.Mul(batch, count);                                                             // [B·K]
        windows = graph.ReshapeAllowingZero(windows, graph.Concat(0, rows, length));
        // one pass over both                                                  (B + B·K, L, V)
        var logits = network(graph.Concat(0, head, windows), length);
        var first = graph.SliceTo(logits, batch, 0);                                                    // (B, L, V)
        var last = graph.Gather(graph.Node("Slice", logits, batch, graph.Add(batch, rows), graph.Int64s(0)), graph.Scalar(-1L), axis: 1); // (B·K, V): each window's last row
        var rest = graph.ReshapeAllowingZero(last, graph.Concat(0, batch, count, graph.Shape(last, 1, 2)));                 // (B, K, V)
        return graph.LogSoftmax(graph.Concat(1, first, rest));                                                              // (B, T, V)
    }
}

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
    /// makemore.py samples) and keeps the window's last row. A graph fed at most block size positions computes no window.
    /// </summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="idx">int64 (B, T).</param>
    /// <param name="blockSize">The positions the network learned.</param>
    /// <param name="network">
    /// The network's causal pass: tokens int64 (N, L) with L ≤ block size, and L as a 1-D int64 tensor of one value, to
    /// float32 logits (N, L, V), row l reading tokens[.., 0..l] at positions 0…l.
    /// </param>
    public static OnnxValue OnnxLogProbabilities(OnnxGraph graph, OnnxValue idx, int blockSize, Func<OnnxValue, OnnxValue, OnnxValue> network)
    {
        // the first block in one pass                                         (B, min(T, block), V)
        var head = graph.Slice(idx, [0], [blockSize], [1]);
        var first = network(head, graph.Shape(head, 1, 2));
        // positions block … T − 1: window k (k = 1 … T − block) is idx[.., k .. k + block − 1]; none when T ≤ block
        var batch = graph.Shape(idx, 0, 1);                                                             // [B]
        var lastStart = graph.Squeeze(graph.Sub(graph.Shape(idx, 1, 2), graph.Int64s(blockSize - 1)), 0);
        var starts = graph.Range(graph.Scalar(1L), lastStart, graph.Scalar(1L));                       // (K)
        var positions = graph.Initializer(Enumerable.Range(0, blockSize).Select(p => (long)p).ToArray(), 1, blockSize);
        var windows = graph.Gather(idx, graph.Add(graph.Unsqueeze(starts, 1), positions), axis: 1);    // (B, K, block)
        var count = graph.Shape(starts);                                                                // [K]
        var flat = graph.ReshapeAllowingZero(windows, graph.Concat(0, graph.Mul(batch, count), graph.Int64s(blockSize))); // (B·K, block)
        var windowLogits = network(flat, graph.Int64s(blockSize));                                      // (B·K, block, V)
        var last = graph.Gather(windowLogits, graph.Scalar((long)blockSize - 1), axis: 1);              // (B·K, V)
        var rest = graph.ReshapeAllowingZero(last, graph.Concat(0, batch, count, graph.Shape(last, 1, 2))); // (B, K, V)
        return graph.LogSoftmax(graph.Concat(1, first, rest));                                          // (B, T, V)
    }
}

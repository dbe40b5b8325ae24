using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>The softmax regression's ONNX graph: the rows of W its context selects, summed, then a log-softmax.</summary>
public sealed partial class SoftmaxRegressionModel : IOnnxExportable
{
    int? IOnnxExportable.OnnxBlockSize => BlockSize;

    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        var w = graph.Initializer(_weights, _weights.LongLength / _v, _v);                        // (rows, V)
        OnnxValue logits;
        if (Context == ContextEncoding.Joint)
        {
            // one row per whole context: its base-V key (below V^block ≤ the parameter limit)
            var row = OnnxWindows.Key(graph, idx, BlockSize, _v);                                  // (B, T)
            logits = graph.Gather(w, row);                                                         // (B, T, V)
        }
        else
        {
            // one row per (position p, character): p·V + window[p], summed over the positions
            var windows = OnnxWindows.Stack(graph, idx, BlockSize);                                // (B, T, block)
            var offsets = graph.Int64s([.. Enumerable.Range(0, BlockSize).Select(p => (long)p * _v)]); // (block)
            var rows = graph.Gather(w, graph.Add(windows, offsets));                               // (B, T, block, V)
            logits = graph.ReduceSum(rows, [2]);                                                   // (B, T, V)
        }
        return graph.LogSoftmax(logits);                                                           // (B, T, V)
    }
}

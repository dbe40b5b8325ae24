using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>
/// The MLP family's ONNX graph: embeddings of the window, each level <c>tanh(x · W' + b')</c> over groups of consecutive
/// vectors (batch normalisation folded into W' and b' with its running statistics, as at inference), the read-out and a
/// log-softmax.
/// </summary>
public sealed partial class MlpModel : IOnnxExportable
{
    int? IOnnxExportable.OnnxBlockSize => BlockSize;

    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        var windows = OnnxWindows.Stack(graph, idx, BlockSize);                                    // (B, T, block)
        var c = graph.Initializer(_embedding, _v, EmbeddingSize);                                  // (V, E)
        var x = graph.Gather(c, windows);                                                          // (B, T, block, E)
        int positions = BlockSize;
        foreach (var layer in _layers)
        {
            int groups = positions / layer.GroupSize, fanIn = layer.GroupSize * layer.InputSize;
            x = graph.Reshape(x, 0, 0, groups, fanIn);                                             // (B, T, groups, g·in)
            var weight = graph.Initializer(layer.FoldedWeight, fanIn, layer.OutputSize);           // (g·in, out)
            var bias = graph.Initializer(layer.FoldedBias, layer.OutputSize);                      // (out)
            x = graph.Tanh(graph.Add(graph.MatMul(x, weight), bias));                              // (B, T, groups, out)
            positions = groups;
        }
        int hidden = _layers[^1].OutputSize;
        var h = graph.Reshape(x, 0, 0, hidden);                                                    // (B, T, H)
        var outputWeight = graph.Initializer(_outputWeight, hidden, _v);                           // (H, V)
        var outputBias = graph.Initializer(_outputBias, _v);                                       // (V)
        var logits = graph.Add(graph.MatMul(h, outputWeight), outputBias);                         // (B, T, V)
        return graph.LogSoftmax(logits);                                                           // (B, T, V)
    }
}

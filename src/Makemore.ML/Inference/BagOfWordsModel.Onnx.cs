using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>The bag-of-words model as an ONNX graph: the causal average as a running sum (<c>CumSum</c>) times 1/(t + 1).</summary>
public sealed partial class BagOfWordsModel : IOnnxExportable
{
    /// <inheritdoc/>
    int? IOnnxExportable.OnnxBlockSize => BlockSize;

    /// <inheritdoc/>
    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        int c = EmbeddingSize, h = HiddenSize, v = _v;
        var tokenEmbedding = graph.Initializer(_tokenEmbedding, v, c);
        var positionEmbedding = graph.Initializer(_positionEmbedding, BlockSize, c);
        var averaging = graph.Initializer(Enumerable.Range(0, BlockSize).Select(p => 1f / (p + 1)).ToArray(), BlockSize, 1); // 1/(t + 1)
        var mlp = graph.Initializer(_mlpTransposed, c, h);
        var mlpBias = graph.Initializer(_mlpBias, h);
        var projection = graph.Initializer(_projectionTransposed, h, c);
        var projectionBias = graph.Initializer(_projectionBias, c);
        var head = graph.Initializer(_headTransposed, c, v);
        var headBias = graph.Initializer(_headBias, v);
        // tokens (N, L) → logits (N, L, V), as Step does position by position
        OnnxValue Network(OnnxValue tokens, OnnxValue length)
        {
            // x = wte[token] + wpe[position]; x = x + (Σ_{s ≤ t} x_s) / (t + 1)   (N, L, C)
            var x = graph.Add(graph.Gather(tokenEmbedding, tokens), graph.SliceTo(positionEmbedding, length, 0));
            x = graph.Add(graph.Mul(graph.CumSum(x, 1), graph.SliceTo(averaging, length, 0)), x);
            // x = x + c_proj(tanh(c_fc(x)))                                     (N, L, n_embd2 → C)
            var hidden = graph.Tanh(graph.Add(graph.MatMul(x, mlp), mlpBias));
            x = graph.Add(x, graph.Add(graph.MatMul(hidden, projection), projectionBias));
            // logits = lm_head(x)                                                (N, L, V)
            return graph.Add(graph.MatMul(x, head), headBias);
        }
        return PositionalScoring.OnnxLogProbabilities(graph, idx, BlockSize, Network);
    }
}

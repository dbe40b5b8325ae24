using Makemore.ML.Onnx;

namespace Makemore.ML.Inference;

/// <summary>
/// The Transformer as an ONNX graph: each block's causal self-attention over all positions at once (MatMul, an additive
/// −∞ mask above the diagonal, Softmax), LayerNormalization (opset 17), and makemore.py's tanh-form GELU written out.
/// </summary>
public sealed partial class TransformerModel : IOnnxExportable
{
    /// <inheritdoc/>
    int? IOnnxExportable.OnnxBlockSize => BlockSize;

    /// <inheritdoc/>
    OnnxValue IOnnxExportable.BuildOnnx(OnnxGraph graph, OnnxValue idx)
    {
        int c = EmbeddingSize, v = _v, headSize = c / HeadCount;
        var tokenEmbedding = graph.Initializer(_tokenEmbedding, v, c);
        var positionEmbedding = graph.Initializer(_positionEmbedding, BlockSize, c);
        // mask[t, s] = −∞ where s > t: softmax then gives those positions exactly 0, as Attend never reads them
        var mask = new float[BlockSize * BlockSize];
        for (int t = 0; t < BlockSize; t++)
            mask.AsSpan(t * BlockSize + t + 1, BlockSize - t - 1).Fill(float.NegativeInfinity);
        var causalMask = graph.Initializer(mask, BlockSize, BlockSize);
        var scale = graph.Scalar(1f / MathF.Sqrt(headSize));
        var blocks = _blocks.Select((b, l) => new OnnxBlock(graph, b, _attention[l], _attentionProjection[l], _mlp[l], _mlpProjection[l], c)).ToArray();
        var finalNormWeight = graph.Initializer(_finalNormWeight, c);
        var finalNormBias = graph.Initializer(_finalNormBias, c);
        var head = graph.Initializer(MatrixVector.Transpose(_headWeight, v, c), c, v);
        var geluScale = graph.Scalar(GeluScale);
        var geluCubic = graph.Scalar(GeluCubic);
        var one = graph.Scalar(1f);
        var half = graph.Scalar(0.5f);

        // tokens (N, L) → logits (N, L, V), as ForwardRows computes rows at positions 0…L − 1
        OnnxValue Network(OnnxValue tokens, OnnxValue length)
        {
            // x = wte[token] + wpe[position]                                   (N, L, C)
            var x = graph.Add(graph.Gather(tokenEmbedding, tokens), graph.SliceTo(positionEmbedding, length, 0));
            var causal = graph.SliceTo(causalMask, graph.Concat(0, length, length), 0, 1);                   // (L, L)
            foreach (var block in blocks)
            {
                // q, k, v = c_attn(ln_1(x)), split into heads                   (N, nh, L, hs)
                var qkv = graph.Add(graph.MatMul(graph.LayerNormalization(x, block.LayerNorm1Weight, block.LayerNorm1Bias, LayerNormEpsilon), block.Attention), block.AttentionBias);
                OnnxValue Heads(int part, params long[] permutation) =>
                    graph.Transpose(graph.Reshape(graph.Slice(qkv, [part * c], [(part + 1) * c], [2]), 0, 0, HeadCount, headSize), permutation);
                var q = Heads(0, 0, 2, 1, 3);
                var kT = Heads(1, 0, 2, 3, 1);                                                                // (N, nh, hs, L)
                var values = Heads(2, 0, 2, 1, 3);
                // softmax(q · kᵀ / √hs + mask) · v, heads joined again          (N, L, C)
                var attention = graph.Softmax(graph.Add(graph.Mul(graph.MatMul(q, kT), scale), causal));     // (N, nh, L, L)
                var y = graph.Reshape(graph.Transpose(graph.MatMul(attention, values), 0, 2, 1, 3), 0, 0, c);
                // x = x + c_proj(y)
                x = graph.Add(x, graph.Add(graph.MatMul(y, block.AttentionProjection), block.AttentionProjectionBias));
                // x = x + c_proj(gelu(c_fc(ln_2(x))))                            (N, L, 4C → C)
                var hidden = graph.Add(graph.MatMul(graph.LayerNormalization(x, block.LayerNorm2Weight, block.LayerNorm2Bias, LayerNormEpsilon), block.Mlp), block.MlpBias);
                // NewGELU, as Gelu: 0.5·h·(1 + tanh(√(2/π)·h·(1 + 0.044715·h²)))
                var u = graph.Mul(graph.Mul(hidden, graph.Add(graph.Mul(graph.Mul(hidden, hidden), geluCubic), one)), geluScale);
                var gelu = graph.Mul(graph.Mul(hidden, graph.Add(graph.Tanh(u), one)), half);
                x = graph.Add(x, graph.Add(graph.MatMul(gelu, block.MlpProjection), block.MlpProjectionBias));
            }
            // logits = lm_head(ln_f(x))                                          (N, L, V)
            return graph.MatMul(graph.LayerNormalization(x, finalNormWeight, finalNormBias, LayerNormEpsilon), head);
        }
        return PositionalScoring.OnnxLogProbabilities(graph, idx, BlockSize, Network);
    }

    /// <summary>One block's weights as graph initializers, matrices in (in, out) layout for MatMul.</summary>
    private sealed class OnnxBlock(OnnxGraph graph, TransformerBlockWeights block, float[] attention, float[] attentionProjection, float[] mlp, float[] mlpProjection, int c)
    {
        public OnnxValue LayerNorm1Weight { get; } = graph.Initializer(block.LayerNorm1Weight, c);
        public OnnxValue LayerNorm1Bias { get; } = graph.Initializer(block.LayerNorm1Bias, c);
        public OnnxValue Attention { get; } = graph.Initializer(attention, c, 3 * c);
        public OnnxValue AttentionBias { get; } = graph.Initializer(block.AttentionBias, 3 * c);
        public OnnxValue AttentionProjection { get; } = graph.Initializer(attentionProjection, c, c);
        public OnnxValue AttentionProjectionBias { get; } = graph.Initializer(block.AttentionProjectionBias, c);
        public OnnxValue LayerNorm2Weight { get; } = graph.Initializer(block.LayerNorm2Weight, c);
        public OnnxValue LayerNorm2Bias { get; } = graph.Initializer(block.LayerNorm2Bias, c);
        public OnnxValue Mlp { get; } = graph.Initializer(mlp, c, 4 * c);
        public OnnxValue MlpBias { get; } = graph.Initializer(block.MlpBias, 4 * c);
        public OnnxValue MlpProjection { get; } = graph.Initializer(mlpProjection, 4 * c, c);
        public OnnxValue MlpProjectionBias { get; } = graph.Initializer(block.MlpProjectionBias, c);
    }
}

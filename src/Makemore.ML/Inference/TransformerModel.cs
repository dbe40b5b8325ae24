using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>
/// One block of a <see cref="TransformerModel"/> as trained: <c>x + attn(ln_1(x))</c>, then <c>x + mlp(ln_2(x))</c>.
/// Matrices are in <c>nn.Linear</c>'s (out, in) row-major layout, so every output is one dot product.
/// </summary>
/// <param name="LayerNorm1Weight">ln_1's gain (C).</param>
/// <param name="LayerNorm1Bias">ln_1's bias (C).</param>
/// <param name="AttentionWeight">c_attn, (3C, C): query, key and value rows in that order.</param>
/// <param name="AttentionBias">c_attn's bias (3C).</param>
/// <param name="AttentionProjectionWeight">The attention's c_proj, (C, C).</param>
/// <param name="AttentionProjectionBias">Its bias (C).</param>
/// <param name="LayerNorm2Weight">ln_2's gain (C).</param>
/// <param name="LayerNorm2Bias">ln_2's bias (C).</param>
/// <param name="MlpWeight">The MLP's c_fc, (4C, C).</param>
/// <param name="MlpBias">Its bias (4C).</param>
/// <param name="MlpProjectionWeight">The MLP's c_proj, (C, 4C).</param>
/// <param name="MlpProjectionBias">Its bias (C).</param>
public sealed record TransformerBlockWeights(
    float[] LayerNorm1Weight, float[] LayerNorm1Bias,
    float[] AttentionWeight, float[] AttentionBias,
    float[] AttentionProjectionWeight, float[] AttentionProjectionBias,
    float[] LayerNorm2Weight, float[] LayerNorm2Bias,
    float[] MlpWeight, float[] MlpBias,
    float[] MlpProjectionWeight, float[] MlpProjectionBias)
{
    internal IEnumerable<float[]> Arrays() =>
    [
        LayerNorm1Weight, LayerNorm1Bias, AttentionWeight, AttentionBias, AttentionProjectionWeight, AttentionProjectionBias,
        LayerNorm2Weight, LayerNorm2Bias, MlpWeight, MlpBias, MlpProjectionWeight, MlpProjectionBias,
    ];

    internal static long[] Sizes(int c) => [c, c, 3L * c * c, 3L * c, (long)c * c, c, c, c, 4L * c * c, 4L * c, 4L * c * c, c];
}

/// <summary>
/// A GPT-2 style Transformer (Radford et al. 2019; Vaswani et al. 2017) exactly as makemore.py's <c>Transformer</c>:
/// token and learned position embeddings, blocks of pre-LayerNorm causal multi-head self-attention and a GELU (tanh
/// approximation) MLP of 4·C, a final LayerNorm and a read-out without bias. Plain C# inference: one position at a time
/// with a key/value cache, so scoring an item is one pass over its positions and sampling costs one position per character.
/// </summary>
public sealed partial class TransformerModel : ILanguageModel, IPositionalNetwork<TransformerModel.Workspace>
{
    private const float LayerNormEpsilon = 1e-5f; // nn.LayerNorm's default
    private static readonly float GeluScale = MathF.Sqrt(2f / MathF.PI);
    private const float GeluCubic = 0.044715f; // NewGELU's coefficient of x³

    private readonly float[] _tokenEmbedding; // wte (V, C)
    private readonly float[] _positionEmbedding; // wpe (T, C)
    private readonly TransformerBlockWeights[] _blocks;
    private readonly float[] _finalNormWeight;
    private readonly float[] _finalNormBias;
    private readonly float[] _headWeight; // lm_head (V, C)
    private readonly int _v;
    // Every matrix transposed to (in, out) for MatrixVector: per block c_attn, attn c_proj, c_fc, mlp c_proj; then lm_head.
    private readonly float[][] _attention, _attentionProjection, _mlp, _mlpProjection;
    private readonly float[] _headTransposed; // (C, headStride): V columns, zero-padded to whole SIMD vectors
    private readonly int _headStride;
    // Position 0 always reads the start token and attention never looks ahead, so what it leaves in every block's cache
    // and its logits are constants of the model: computed once here and copied, not recomputed, for every item (one
    // position of the ~7 a name costs).
    private readonly float[] _startKeys, _startValues; // (layer, C)
    private readonly float[] _startLogits; // (V)
    private readonly double[] _startLogProbabilities; // ln softmax(_startLogits), (V)
    private Workspace? _spare; // one reusable workspace for LogProbabilities: no allocation per item on one thread

    /// <summary>Creates a model from its trained parameters.</summary>
    /// <param name="vocabulary">The characters; V = <c>vocabulary.Size</c>.</param>
    /// <param name="blockSize">T, the positions learned (makemore.py: the longest name + 1).</param>
    /// <param name="headCount">Attention heads per block; must divide <paramref name="embeddingSize"/>.</param>
    /// <param name="embeddingSize">C, the width of the residual stream.</param>
    /// <param name="tokenEmbedding">wte, (V, C) row-major.</param>
    /// <param name="positionEmbedding">wpe, (T, C) row-major.</param>
    /// <param name="blocks">The blocks, first first.</param>
    /// <param name="finalNormWeight">ln_f's gain (C).</param>
    /// <param name="finalNormBias">ln_f's bias (C).</param>
    /// <param name="headWeight">lm_head, (V, C) row-major (no bias).</param>
    public TransformerModel(CharacterVocabulary vocabulary, int blockSize, int headCount, int embeddingSize, float[] tokenEmbedding,
        float[] positionEmbedding, IReadOnlyList<TransformerBlockWeights> blocks, float[] finalNormWeight, float[] finalNormBias, float[] headWeight)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(blocks);
        if (blockSize < 1 || embeddingSize < 1 || headCount < 1 || embeddingSize % headCount != 0)
            throw new ArgumentOutOfRangeException(nameof(headCount), $"Block size, embedding size and heads must be ≥ 1, and the heads must divide the embedding size ({embeddingSize} / {headCount}).");
        int v = vocabulary.Size, c = embeddingSize;
        Check(tokenEmbedding, (long)v * c, nameof(tokenEmbedding));
        Check(positionEmbedding, (long)blockSize * c, nameof(positionEmbedding));
        Check(finalNormWeight, c, nameof(finalNormWeight));
        Check(finalNormBias, c, nameof(finalNormBias));
        Check(headWeight, (long)v * c, nameof(headWeight));
        var sizes = TransformerBlockWeights.Sizes(c);
        foreach (var block in blocks)
        {
            ArgumentNullException.ThrowIfNull(block, nameof(blocks));
            foreach (var (array, size) in block.Arrays().Zip(sizes))
                Check(array, size, nameof(blocks));
        }
        Vocabulary = vocabulary;
        BlockSize = blockSize;
        HeadCount = headCount;
        EmbeddingSize = embeddingSize;
        _tokenEmbedding = tokenEmbedding;
        _positionEmbedding = positionEmbedding;
        _blocks = [.. blocks];
        _finalNormWeight = finalNormWeight;
        _finalNormBias = finalNormBias;
        _headWeight = headWeight;
        _v = v;
        _attention = [.. _blocks.Select(b => MatrixVector.Transpose(b.AttentionWeight, 3 * c, c))];
        _attentionProjection = [.. _blocks.Select(b => MatrixVector.Transpose(b.AttentionProjectionWeight, c, c))];
        _mlp = [.. _blocks.Select(b => MatrixVector.Transpose(b.MlpWeight, 4 * c, c))];
        _mlpProjection = [.. _blocks.Select(b => MatrixVector.Transpose(b.MlpProjectionWeight, c, 4 * c))];
        _headStride = MatrixVector.PaddedWidth(v);
        _headTransposed = MatrixVector.Transpose(headWeight, v, c, _headStride);
        NeuralModelLimits.CheckParameterCount(ParameterCount, nameof(blocks));
        var start = new Workspace(_blocks.Length, blockSize, 1, c, v);
        _startLogits = new float[v];
        ForwardRows(start, [0], 0, _startLogits);
        _startKeys = new float[_blocks.Length * c];
        _startValues = new float[_blocks.Length * c];
        for (int l = 0; l < _blocks.Length; l++)
        {
            start.Keys.AsSpan(l * blockSize * c, c).CopyTo(_startKeys.AsSpan(l * c, c));
            start.Values.AsSpan(l * blockSize * c, c).CopyTo(_startValues.AsSpan(l * c, c));
        }
        _startLogProbabilities = [.. Enumerable.Range(0, v).Select(id => PositionalScoring.LogSoftmaxAt(_startLogits, id))];
    }

    /// <inheritdoc/>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>T, the positions learned; a longer item is read through a window of its last T symbols, as makemore.py samples.</summary>
    public int BlockSize { get; }

    /// <summary>Attention heads per block.</summary>
    public int HeadCount { get; }

    /// <summary>C, the width of the residual stream.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Blocks.</summary>
    public int LayerCount => _blocks.Length;

    /// <summary>The blocks' parameters, first first. Shared: do not modify.</summary>
    public IReadOnlyList<TransformerBlockWeights> Blocks => _blocks;

    /// <summary>wte, (V, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> TokenEmbedding => _tokenEmbedding;

    /// <summary>wpe, (T, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> PositionEmbedding => _positionEmbedding;

    /// <summary>ln_f's gain (C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> FinalNormWeight => _finalNormWeight;

    /// <summary>ln_f's bias (C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> FinalNormBias => _finalNormBias;

    /// <summary>lm_head, (V, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> HeadWeight => _headWeight;

    /// <summary>Every parameter, the read-out included (makemore.py's printed figure leaves lm_head out).</summary>
    public long ParameterCount => _tokenEmbedding.LongLength + _positionEmbedding.LongLength
        + _blocks.Sum(b => b.Arrays().Sum(a => a.LongLength)) + 2L * EmbeddingSize + _headWeight.LongLength;

    int IPositionalNetwork<Workspace>.VocabularySize => _v;

    /// <inheritdoc/>
    public void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities) => Score(ids, logProbabilities, default);

    /// <inheritdoc/>
    public void LogProbabilitiesAndNext(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> nextProbabilities)
    {
        if (nextProbabilities.Length != _v)
            throw new ArgumentException($"Expected room for {_v} probabilities, got {nextProbabilities.Length}.", nameof(nextProbabilities));
        Score(ids, logProbabilities, nextProbabilities);
    }

    // Log-probabilities of an item and, when next is not empty, the distribution after it: one pass either way.
    private void Score(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> next)
    {
        var workspace = Interlocked.Exchange(ref _spare, null) ?? CreateWorkspace();
        int positions = ids.Length + 1;
        if (positions > BlockSize || logProbabilities.Length != positions)
        {
            // past the block: makemore.py's sliding window, position by position (PositionalScoring checks the arguments)
            PositionalScoring.LogProbabilities(this, workspace, workspace.Logits.AsSpan(0, _v), ids, logProbabilities, next);
            _spare = workspace;
            return;
        }
        // Position 0 from the constants, then one pass over the others, each weight matrix read once for all of them;
        // bit for bit the decoder's numbers.
        foreach (int id in ids)
            if (id <= 0 || id >= _v)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"A character id must be 1…{_v - 1} (0 is the boundary).");
        RestoreStart(workspace);
        logProbabilities[0] = _startLogProbabilities[ids.IsEmpty ? 0 : ids[0]];
        var logits = workspace.Logits.AsSpan(0, ids.Length * _v);
        if (!ids.IsEmpty)
            ForwardRows(workspace, ids, 1, logits); // input position i + 1 reads ids[i] and predicts ids[i + 1]
        for (int i = 1; i < positions; i++)
            logProbabilities[i] = PositionalScoring.LogSoftmaxAt(logits.Slice((i - 1) * _v, _v), i < ids.Length ? ids[i] : 0);
        if (!next.IsEmpty) // the last position predicts what follows the item
            PositionalScoring.Softmax(ids.IsEmpty ? _startLogits : logits.Slice((ids.Length - 1) * _v, _v), next);
        _spare = workspace;
    }

    /// <inheritdoc/>
    public ILanguageModelDecoder StartDecoding() => new PositionalScoring.Decoder<Workspace>(this);

    /// <summary>The key/value cache and scratch vectors of one item.</summary>
    internal sealed class Workspace(int layers, int blockSize, int rows, int c, int v)
    {
        public readonly float[] Keys = new float[layers * blockSize * c]; // (layer, position, C)
        public readonly float[] Values = new float[layers * blockSize * c]; // (layer, position, C)
        // Room for the positions read in one pass: a whole item's for whole-item scoring, one for a decoder.
        public readonly float[] X = new float[rows * c]; // the residual stream
        public readonly float[] Normed = new float[rows * c];
        public readonly float[] Qkv = new float[rows * 3 * c];
        public readonly float[] Attended = new float[rows * c];
        public readonly float[] Hidden = new float[rows * 4 * c];
        public readonly float[] Scores = new float[blockSize];
        public readonly float[] Logits = new float[rows * v];
        public readonly float[] PaddedLogits = new float[rows * MatrixVector.PaddedWidth(v)];
    }

    /// <inheritdoc/>
    Workspace IPositionalNetwork<Workspace>.CreateWorkspace() => new(_blocks.Length, BlockSize, 1, EmbeddingSize, _v);

    private Workspace CreateWorkspace() => new(_blocks.Length, BlockSize, BlockSize, EmbeddingSize, _v);

    /// <inheritdoc/>
    void IPositionalNetwork<Workspace>.Step(Workspace w, int token, int position, Span<float> logits) =>
        Forward(w, new ReadOnlySpan<int>(in token), position, logits);

    // Forward, the start token at position 0 read from the constants.
    private void Forward(Workspace w, ReadOnlySpan<int> tokens, int first, Span<float> logits)
    {
        if (first == 0 && tokens[0] == 0)
        {
            RestoreStart(w);
            _startLogits.CopyTo(logits);
            if (tokens.Length > 1)
                ForwardRows(w, tokens[1..], 1, logits[_v..]);
            return;
        }
        ForwardRows(w, tokens, first, logits);
    }

    // Puts position 0's keys and values (the start token's) into the cache.
    private void RestoreStart(Workspace w)
    {
        int c = EmbeddingSize;
        for (int l = 0; l < _blocks.Length; l++)
        {
            _startKeys.AsSpan(l * c, c).CopyTo(w.Keys.AsSpan(l * BlockSize * c, c));
            _startValues.AsSpan(l * c, c).CopyTo(w.Values.AsSpan(l * BlockSize * c, c));
        }
    }

    // Reads tokens at positions first, first + 1, … (the cache holds the positions before), writing (rows, V) logits.
    // Every row gets the same operations in the same order however many rows there are, so one pass over an item and
    // decoding it character by character give identical numbers.
    private void ForwardRows(Workspace w, ReadOnlySpan<int> tokens, int first, Span<float> logits)
    {
        int c = EmbeddingSize, rows = tokens.Length, headSize = c / HeadCount;
        float scale = 1f / MathF.Sqrt(headSize);
        var x = w.X.AsSpan(0, rows * c);
        var normed = w.Normed.AsSpan(0, rows * c);
        var qkv = w.Qkv.AsSpan(0, rows * 3 * c);
        var attended = w.Attended.AsSpan(0, rows * c);
        var hidden = w.Hidden.AsSpan(0, rows * 4 * c);
        // x = wte[token] + wpe[position]                                      (rows, C)
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(_tokenEmbedding.AsSpan(tokens[r] * c, c), _positionEmbedding.AsSpan((first + r) * c, c), x.Slice(r * c, c));
        for (int l = 0; l < _blocks.Length; l++)
        {
            var block = _blocks[l];
            // q, k, v = c_attn(ln_1(x)); k and v go into the cache at their positions   (rows, 3C)
            for (int r = 0; r < rows; r++)
                LayerNorm(x.Slice(r * c, c), block.LayerNorm1Weight, block.LayerNorm1Bias, normed.Slice(r * c, c));
            MatrixVector.MultiplyRows(normed, rows, _attention[l], block.AttentionBias, qkv);
            for (int r = 0; r < rows; r++)
            {
                qkv.Slice((3 * r + 1) * c, c).CopyTo(w.Keys.AsSpan((l * BlockSize + first + r) * c, c));
                qkv.Slice((3 * r + 2) * c, c).CopyTo(w.Values.AsSpan((l * BlockSize + first + r) * c, c));
            }
            // each head: softmax(q · k_s / √hs) over positions s ≤ t, then Σ_s att_s v_s   (rows, C)
            for (int r = 0; r < rows; r++)
            {
                var scores = w.Scores.AsSpan(0, first + r + 1);
                for (int h = 0; h < HeadCount; h++)
                    Attend(qkv.Slice(3 * r * c + h * headSize, headSize), w.Keys.AsSpan(l * BlockSize * c + h * headSize),
                        w.Values.AsSpan(l * BlockSize * c + h * headSize), c, scale, scores, attended.Slice(r * c + h * headSize, headSize));
            }
            // x = x + c_proj(y)                                               (rows, C)
            MatrixVector.MultiplyRows(attended, rows, _attentionProjection[l], block.AttentionProjectionBias, normed);
            for (int r = 0; r < rows; r++)
                TensorPrimitives.Add(x.Slice(r * c, c), normed.Slice(r * c, c), x.Slice(r * c, c));
            // x = x + c_proj(gelu(c_fc(ln_2(x))))                              (rows, 4C → C)
            for (int r = 0; r < rows; r++)
                LayerNorm(x.Slice(r * c, c), block.LayerNorm2Weight, block.LayerNorm2Bias, normed.Slice(r * c, c));
            MatrixVector.MultiplyRows(normed, rows, _mlp[l], block.MlpBias, hidden);
            Gelu(hidden);
            MatrixVector.MultiplyRows(hidden, rows, _mlpProjection[l], block.MlpProjectionBias, normed);
            for (int r = 0; r < rows; r++)
                TensorPrimitives.Add(x.Slice(r * c, c), normed.Slice(r * c, c), x.Slice(r * c, c));
        }
        // logits = lm_head(ln_f(x))                                           (rows, V)
        for (int r = 0; r < rows; r++)
            LayerNorm(x.Slice(r * c, c), _finalNormWeight, _finalNormBias, normed.Slice(r * c, c));
        var padded = w.PaddedLogits.AsSpan(0, rows * _headStride);
        MatrixVector.MultiplyRows(normed, rows, _headTransposed, [], padded);
        for (int r = 0; r < rows; r++)
            padded.Slice(r * _headStride, _v).CopyTo(logits.Slice(r * _v, _v));
    }

    // One head at one position: scores[s] = q · k_s · scale for the positions s < scores.Length (keys and values are read
    // every `stride` floats from the head's first column), softmax, then y = Σ_s scores[s] v_s (y is overwritten, so
    // the rows need no clearing first).
    private static void Attend(ReadOnlySpan<float> q, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int stride, float scale,
        Span<float> scores, Span<float> y)
    {
        int headSize = q.Length, width = Vector<float>.Count;
        if (headSize % width != 0)
        {
            for (int s = 0; s < scores.Length; s++)
                scores[s] = TensorPrimitives.Dot(q, keys.Slice(s * stride, headSize)) * scale;
            TensorPrimitives.SoftMax(scores, scores);
            TensorPrimitives.Multiply(values[..headSize], scores[0], y);
            for (int s = 1; s < scores.Length; s++)
                TensorPrimitives.MultiplyAdd(values.Slice(s * stride, headSize), scores[s], y, y);
            return;
        }
        // The head is whole SIMD vectors (16 floats by default): inline loops instead of a library call per 16-float dot.
        ref float q0 = ref MemoryMarshal.GetReference(q);
        float max = float.NegativeInfinity;
        for (int s = 0; s < scores.Length; s++)
        {
            ref float k0 = ref MemoryMarshal.GetReference(keys.Slice(s * stride, headSize));
            var sum = Vector<float>.Zero;
            for (int i = 0; i < headSize; i += width)
                sum = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref q0, (nuint)i), Vector.LoadUnsafe(ref k0, (nuint)i), sum);
            scores[s] = Vector.Sum(sum) * scale;
            max = MathF.Max(max, scores[s]);
        }
        float total = 0;
        for (int s = 0; s < scores.Length; s++)
            total += scores[s] = MathF.Exp(scores[s] - max);
        float inverse = 1f / total;
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref float first = ref MemoryMarshal.GetReference(values);
        var firstWeight = new Vector<float>(scores[0] * inverse);
        for (int i = 0; i < headSize; i += width)
            (Vector.LoadUnsafe(ref first, (nuint)i) * firstWeight).StoreUnsafe(ref y0, (nuint)i);
        for (int s = 1; s < scores.Length; s++)
        {
            ref float v0 = ref MemoryMarshal.GetReference(values.Slice(s * stride, headSize));
            var weight = new Vector<float>(scores[s] * inverse);
            for (int i = 0; i < headSize; i += width)
                Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref v0, (nuint)i), weight, Vector.LoadUnsafe(ref y0, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
        }
    }

    // (x − mean) / √(var + ε) · γ + β, with the biased variance as nn.LayerNorm.
    private static void LayerNorm(ReadOnlySpan<float> x, float[] gain, float[] bias, Span<float> output)
    {
        const int Lanes = 16; // Vector512<float>.Count
        if (Vector512.IsHardwareAccelerated && x.Length % Lanes == 0)
        {
            // C = 64 is 4 vectors: three inline passes instead of five library calls (within 1e-7 of them: another order of sums)
            ref float x0 = ref MemoryMarshal.GetReference(x);
            ref float o0 = ref MemoryMarshal.GetReference(output);
            ref float g0 = ref MemoryMarshal.GetArrayDataReference(gain);
            ref float b0 = ref MemoryMarshal.GetArrayDataReference(bias);
            var sum = Vector512<float>.Zero;
            for (int i = 0; i < x.Length; i += Lanes)
                sum += Vector512.LoadUnsafe(ref x0, (nuint)i);
            var center = Vector512.Create(Vector512.Sum(sum) / x.Length);
            var squares = Vector512<float>.Zero;
            for (int i = 0; i < x.Length; i += Lanes)
            {
                var d = Vector512.LoadUnsafe(ref x0, (nuint)i) - center;
                squares = Vector512.FusedMultiplyAdd(d, d, squares);
            }
            var scale = Vector512.Create(1f / MathF.Sqrt(Vector512.Sum(squares) / x.Length + LayerNormEpsilon));
            for (int i = 0; i < x.Length; i += Lanes)
            {
                var d = (Vector512.LoadUnsafe(ref x0, (nuint)i) - center) * scale;
                Vector512.FusedMultiplyAdd(d, Vector512.LoadUnsafe(ref g0, (nuint)i), Vector512.LoadUnsafe(ref b0, (nuint)i)).StoreUnsafe(ref o0, (nuint)i);
            }
            return;
        }
        float mean = TensorPrimitives.Sum(x) / x.Length;
        TensorPrimitives.Subtract(x, mean, output);
        float variance = TensorPrimitives.SumOfSquares(output) / x.Length;
        TensorPrimitives.Multiply(output, 1f / MathF.Sqrt(variance + LayerNormEpsilon), output);
        TensorPrimitives.FusedMultiplyAdd(output, gain, bias, output);
    }

    // makemore.py's NewGELU: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), in place, in one pass: tanh is a rational
    // approximation (odd degree 13 over even degree 6, the one Eigen uses for float; within 3e-7 of tanh everywhere).
    private static void Gelu(Span<float> x)
    {
        int i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated) // the same operations on 16 lanes, so the same numbers: 1.02–1.09× names/s
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref x0, (nuint)i);
                var u = v * Vector512.FusedMultiplyAdd(v * v, Vector512.Create(GeluCubic), Vector512<float>.One) * GeluScale;
                (v * (Tanh(u) + Vector512<float>.One) * 0.5f).StoreUnsafe(ref x0, (nuint)i);
            }
        for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count)
        {
            var v = Vector.LoadUnsafe(ref x0, (nuint)i);
            var u = v * Vector.FusedMultiplyAdd(v * v, new Vector<float>(GeluCubic), Vector<float>.One) * GeluScale;
            (v * (Tanh(u) + Vector<float>.One) * 0.5f).StoreUnsafe(ref x0, (nuint)i);
        }
        for (; i < x.Length; i++)
            x[i] = x[i] * (MathF.Tanh(x[i] * MathF.FusedMultiplyAdd(x[i] * x[i], GeluCubic, 1f) * GeluScale) + 1f) * 0.5f;
    }

    // tanh as P(x²)·x / Q(x²), Horner from the highest power; past ±TanhClamp it equals ±1 in float.
    private const float TanhClamp = 7.90531110763549805f;
    private const float P6 = -2.76076847742355e-16f, P5 = 2.00018790482477e-13f, P4 = -8.60467152213735e-11f, P3 = 5.12229709037114e-08f,
        P2 = 1.48572235717979e-05f, P1 = 6.37261928875436e-04f, P0 = 4.89352455891786e-03f;
    private const float Q3 = 1.19825839466702e-06f, Q2 = 1.18534705686654e-04f, Q1 = 2.26843463243900e-03f, Q0 = 4.89352518554385e-03f;

    private static Vector<float> Tanh(Vector<float> x)
    {
        x = Vector.Clamp(x, new Vector<float>(-TanhClamp), new Vector<float>(TanhClamp));
        var x2 = x * x;
        var p = Vector.FusedMultiplyAdd(x2, new Vector<float>(P6), new Vector<float>(P5));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(P4));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(P3));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(P2));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(P1));
        p = Vector.FusedMultiplyAdd(x2, p, new Vector<float>(P0));
        var q = Vector.FusedMultiplyAdd(x2, new Vector<float>(Q3), new Vector<float>(Q2));
        q = Vector.FusedMultiplyAdd(x2, q, new Vector<float>(Q1));
        q = Vector.FusedMultiplyAdd(x2, q, new Vector<float>(Q0));
        return x * p / q;
    }

    private static Vector512<float> Tanh(Vector512<float> x)
    {
        x = Vector512.Clamp(x, Vector512.Create(-TanhClamp), Vector512.Create(TanhClamp));
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(P6), Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(P0));
        var q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(Q3), Vector512.Create(Q2));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(Q1));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(Q0));
        return x * p / q;
    }

    /// <summary>The architecture in one line, e.g. <c>4 blocks × (4 heads, C 64, MLP 256), T 16, V 27</c>.</summary>
    public string Architecture => string.Create(CultureInfo.InvariantCulture,
        $"{LayerCount} blocks × ({HeadCount} heads, C {EmbeddingSize}, MLP {4 * EmbeddingSize}), T {BlockSize}, V {_v}");

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("architecture", "Transformer (GPT-2 style, as makemore.py)"),
        new("block size", $"{BlockSize} positions"),
        new("layers", Architecture),
        new("parameters", ParameterCount.ToString("N0", CultureInfo.InvariantCulture)),
    ];

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Transformer, {Architecture}, {ParameterCount:N0} parameters");

    private static void Check(float[] values, long expected, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.LongLength != expected)
            throw new ArgumentException($"Expected {expected} values, got {values.LongLength}.", name);
    }

    /// <summary>Saved as kind <c>transformer</c>: vocabulary, T, heads, C, wte, wpe, the block count and each block's 12 arrays, ln_f, lm_head.</summary>
    private sealed class Codec : ModelCodec<TransformerModel>
    {
        public override string Kind => "transformer";

        public override int Version => 1;

        protected override void Write(TransformerModel model, BinaryWriter writer)
        {
            model.Vocabulary.Write(writer);
            writer.Write(model.BlockSize);
            writer.Write(model.HeadCount);
            writer.Write(model.EmbeddingSize);
            StateIO.WriteArray(writer, model._tokenEmbedding);
            StateIO.WriteArray(writer, model._positionEmbedding);
            writer.Write(model._blocks.Length);
            foreach (var block in model._blocks)
                foreach (var array in block.Arrays())
                    StateIO.WriteArray(writer, array);
            StateIO.WriteArray(writer, model._finalNormWeight);
            StateIO.WriteArray(writer, model._finalNormBias);
            StateIO.WriteArray(writer, model._headWeight);
        }

        protected override TransformerModel ReadModel(BinaryReader reader)
        {
            var vocabulary = CharacterVocabulary.Read(reader);
            int blockSize = reader.ReadInt32(), heads = reader.ReadInt32(), c = reader.ReadInt32();
            var wte = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            var wpe = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            int count = reader.ReadInt32();
            if (count < 0 || count > 256)
                throw new InvalidDataException($"A saved Transformer claims {count} blocks; the model file is damaged.");
            var blocks = new TransformerBlockWeights[count];
            for (int i = 0; i < count; i++)
            {
                var a = new float[12][];
                for (int k = 0; k < a.Length; k++)
                    a[k] = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
                blocks[i] = new TransformerBlockWeights(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
            }
            var lnWeight = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            var lnBias = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            var head = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            try
            {
                return new TransformerModel(vocabulary, blockSize, heads, c, wte, wpe, blocks, lnWeight, lnBias, head);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"A saved Transformer is inconsistent: {e.Message}", e);
            }
        }
    }
}

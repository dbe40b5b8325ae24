using System.Globalization;
using System.Numerics.Tensors;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>
/// makemore.py's bag-of-words model (<c>BoW</c>): x = token + position embeddings; x += the causal average of x over the
/// positions so far; x += c_proj(tanh(c_fc(x))); logits = lm_head(x). Plain C# inference keeping a running sum, so
/// each position costs one MLP. Matrices are in <c>nn.Linear</c>'s (out, in) row-major layout.
/// </summary>
public sealed class BagOfWordsModel : ILanguageModel, IPositionalNetwork<BagOfWordsModel.Workspace>
{
    private readonly float[] _tokenEmbedding, _positionEmbedding, _mlpWeight, _mlpBias, _projectionWeight, _projectionBias, _headWeight, _headBias;
    private readonly int _v;
    private readonly float[] _mlpTransposed, _projectionTransposed, _headTransposed; // (in, out) for MatrixVector
    private Workspace? _spare; // one reusable workspace for LogProbabilities: no allocation per item on one thread

    /// <summary>Creates a model from its trained parameters.</summary>
    /// <param name="vocabulary">The characters; V = <c>vocabulary.Size</c>.</param>
    /// <param name="blockSize">T, the positions learned (makemore.py: the longest name + 1).</param>
    /// <param name="embeddingSize">C (makemore.py's n_embd).</param>
    /// <param name="hiddenSize">The MLP's width (makemore.py's n_embd2).</param>
    /// <param name="tokenEmbedding">wte, (V, C).</param>
    /// <param name="positionEmbedding">wpe, (T, C).</param>
    /// <param name="mlpWeight">c_fc, (n_embd2, C).</param>
    /// <param name="mlpBias">c_fc's bias (n_embd2).</param>
    /// <param name="projectionWeight">c_proj, (C, n_embd2).</param>
    /// <param name="projectionBias">c_proj's bias (C).</param>
    /// <param name="headWeight">lm_head, (V, C).</param>
    /// <param name="headBias">lm_head's bias (V).</param>
    public BagOfWordsModel(CharacterVocabulary vocabulary, int blockSize, int embeddingSize, int hiddenSize, float[] tokenEmbedding,
        float[] positionEmbedding, float[] mlpWeight, float[] mlpBias, float[] projectionWeight, float[] projectionBias, float[] headWeight, float[] headBias)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (blockSize < 1 || embeddingSize < 1 || hiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), "Block size, embedding size and hidden size must be ≥ 1.");
        int v = vocabulary.Size, c = embeddingSize, h = hiddenSize;
        Check(tokenEmbedding, (long)v * c, nameof(tokenEmbedding));
        Check(positionEmbedding, (long)blockSize * c, nameof(positionEmbedding));
        Check(mlpWeight, (long)h * c, nameof(mlpWeight));
        Check(mlpBias, h, nameof(mlpBias));
        Check(projectionWeight, (long)c * h, nameof(projectionWeight));
        Check(projectionBias, c, nameof(projectionBias));
        Check(headWeight, (long)v * c, nameof(headWeight));
        Check(headBias, v, nameof(headBias));
        Vocabulary = vocabulary;
        BlockSize = blockSize;
        EmbeddingSize = embeddingSize;
        HiddenSize = hiddenSize;
        (_tokenEmbedding, _positionEmbedding, _mlpWeight, _mlpBias, _projectionWeight, _projectionBias, _headWeight, _headBias) =
            (tokenEmbedding, positionEmbedding, mlpWeight, mlpBias, projectionWeight, projectionBias, headWeight, headBias);
        _v = v;
        _mlpTransposed = MatrixVector.Transpose(mlpWeight, h, c);
        _projectionTransposed = MatrixVector.Transpose(projectionWeight, c, h);
        _headTransposed = MatrixVector.Transpose(headWeight, v, c);
        NeuralModelLimits.CheckParameterCount(ParameterCount, nameof(hiddenSize));
    }

    /// <inheritdoc/>
    public CharacterVocabulary Vocabulary { get; }

    /// <summary>T, the positions learned; a longer item is read through a window of its last T symbols, as makemore.py samples.</summary>
    public int BlockSize { get; }

    /// <summary>C (makemore.py's n_embd).</summary>
    public int EmbeddingSize { get; }

    /// <summary>The MLP's width (makemore.py's n_embd2).</summary>
    public int HiddenSize { get; }

    /// <summary>wte, (V, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> TokenEmbedding => _tokenEmbedding;

    /// <summary>wpe, (T, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> PositionEmbedding => _positionEmbedding;

    /// <summary>c_fc, (n_embd2, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> MlpWeight => _mlpWeight;

    /// <summary>c_fc's bias (n_embd2). Shared: do not modify.</summary>
    public ReadOnlySpan<float> MlpBias => _mlpBias;

    /// <summary>c_proj, (C, n_embd2). Shared: do not modify.</summary>
    public ReadOnlySpan<float> ProjectionWeight => _projectionWeight;

    /// <summary>c_proj's bias (C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> ProjectionBias => _projectionBias;

    /// <summary>lm_head, (V, C). Shared: do not modify.</summary>
    public ReadOnlySpan<float> HeadWeight => _headWeight;

    /// <summary>lm_head's bias (V). Shared: do not modify.</summary>
    public ReadOnlySpan<float> HeadBias => _headBias;

    /// <summary>Every parameter.</summary>
    public long ParameterCount => _tokenEmbedding.LongLength + _positionEmbedding.LongLength + _mlpWeight.LongLength + _mlpBias.Length
        + _projectionWeight.LongLength + _projectionBias.Length + _headWeight.LongLength + _headBias.Length;

    int IPositionalNetwork<Workspace>.VocabularySize => _v;

    /// <inheritdoc/>
    public void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        var workspace = Interlocked.Exchange(ref _spare, null) ?? CreateWorkspace();
        PositionalScoring.LogProbabilities(this, workspace, workspace.Logits, ids, logProbabilities);
        _spare = workspace;
    }

    /// <inheritdoc/>
    public void LogProbabilitiesAndNext(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> nextProbabilities)
    {
        if (nextProbabilities.Length != _v)
            throw new ArgumentException($"Expected room for {_v} probabilities, got {nextProbabilities.Length}.", nameof(nextProbabilities));
        var workspace = Interlocked.Exchange(ref _spare, null) ?? CreateWorkspace();
        PositionalScoring.LogProbabilities(this, workspace, workspace.Logits, ids, logProbabilities, nextProbabilities);
        _spare = workspace;
    }

    /// <inheritdoc/>
    public ILanguageModelDecoder StartDecoding() => new PositionalScoring.Decoder<Workspace>(this);

    /// <summary>The running sum of one item and scratch vectors.</summary>
    internal sealed class Workspace(int c, int h, int v)
    {
        public readonly float[] Sum = new float[c]; // Σ of x over the positions read
        public readonly float[] X = new float[c];
        public readonly float[] Hidden = new float[h];
        public readonly float[] Projected = new float[c];
        public readonly float[] Logits = new float[v];
    }

    /// <inheritdoc/>
    Workspace IPositionalNetwork<Workspace>.CreateWorkspace() => CreateWorkspace();

    private Workspace CreateWorkspace() => new(EmbeddingSize, HiddenSize, _v);

    /// <inheritdoc/>
    void IPositionalNetwork<Workspace>.Step(Workspace w, int token, int position, Span<float> logits)
    {
        int c = EmbeddingSize;
        var x = w.X.AsSpan();
        // x = wte[token] + wpe[position]; sum += x; x = x + sum / (t + 1)     (C)
        TensorPrimitives.Add(_tokenEmbedding.AsSpan(token * c, c), _positionEmbedding.AsSpan(position * c, c), x);
        if (position == 0)
            x.CopyTo(w.Sum);
        else
            TensorPrimitives.Add(w.Sum, x, w.Sum);
        TensorPrimitives.MultiplyAdd(w.Sum, 1f / (position + 1), x, x);
        // x = x + c_proj(tanh(c_fc(x)))                                      (n_embd2 → C)
        MatrixVector.Multiply(x, _mlpTransposed, _mlpBias, w.Hidden);
        TensorPrimitives.Tanh(w.Hidden, w.Hidden);
        MatrixVector.Multiply(w.Hidden, _projectionTransposed, _projectionBias, w.Projected);
        TensorPrimitives.Add(x, w.Projected, x);
        // logits = lm_head(x)                                                 (V)
        MatrixVector.Multiply(x, _headTransposed, _headBias, logits);
    }

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("architecture", "bag of words (causal average of previous embeddings, as makemore.py)"),
        new("block size", $"{BlockSize} positions"),
        new("layers", string.Create(CultureInfo.InvariantCulture, $"emb {EmbeddingSize} + positions → avg → [{EmbeddingSize}→{HiddenSize} tanh →{EmbeddingSize}] → {_v}")),
        new("parameters", ParameterCount.ToString("N0", CultureInfo.InvariantCulture)),
    ];

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"bag of words, T {BlockSize}, C {EmbeddingSize}, n_embd2 {HiddenSize}, {ParameterCount:N0} parameters");

    private static void Check(float[] values, long expected, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.LongLength != expected)
            throw new ArgumentException($"Expected {expected} values, got {values.LongLength}.", name);
    }

    /// <summary>Saved as kind <c>bow</c>: vocabulary, T, C, n_embd2, then wte, wpe, c_fc, c_proj, lm_head (weights, biases).</summary>
    private sealed class Codec : ModelCodec<BagOfWordsModel>
    {
        public override string Kind => "bow";

        public override int Version => 1;

        protected override void Write(BagOfWordsModel model, BinaryWriter writer)
        {
            model.Vocabulary.Write(writer);
            writer.Write(model.BlockSize);
            writer.Write(model.EmbeddingSize);
            writer.Write(model.HiddenSize);
            foreach (var array in new[] { model._tokenEmbedding, model._positionEmbedding, model._mlpWeight, model._mlpBias,
                model._projectionWeight, model._projectionBias, model._headWeight, model._headBias })
                StateIO.WriteArray(writer, array);
        }

        protected override BagOfWordsModel ReadModel(BinaryReader reader)
        {
            var vocabulary = CharacterVocabulary.Read(reader);
            int blockSize = reader.ReadInt32(), c = reader.ReadInt32(), h = reader.ReadInt32();
            var a = new float[8][];
            for (int k = 0; k < a.Length; k++)
                a[k] = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            try
            {
                return new BagOfWordsModel(vocabulary, blockSize, c, h, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"A saved bag-of-words model is inconsistent: {e.Message}", e);
            }
        }
    }
}

using System.Globalization;
using Makemore.ML.Counting;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>How a softmax-regression model reads its context of <c>BlockSize</c> characters.</summary>
public enum ContextEncoding
{
    /// <summary>
    /// One row of W per whole context: V^block rows, the table a count model estimates (the lecture's bigram is block 1;
    /// its trigram exercise E01 is block 2 with 729 rows).
    /// </summary>
    Joint,
    /// <summary>The characters' one-hots concatenated: V·block inputs, one row of W per (position, character); a factorised, weaker model.</summary>
    PerPosition,
}

/// <summary>
/// The lecture's neural n-gram: logits = (one-hot context) · W, probabilities = softmax(logits); no bias, no hidden layer.
/// This is the plain C# forward pass used for scoring and sampling (no libtorch); training lives in Makemore.ML.TorchSharp.
/// </summary>
public sealed partial class SoftmaxRegressionModel : WindowLanguageModel
{
    private readonly float[] _weights;
    private readonly int _v;

    /// <summary>Creates a model from its weights.</summary>
    /// <param name="vocabulary">The characters; V = <c>vocabulary.Size</c>.</param>
    /// <param name="blockSize">Number of previous characters the model conditions on, ≥ 1.</param>
    /// <param name="context">How the context selects rows of W.</param>
    /// <param name="weights">W, row-major, shape (<see cref="RowCount(int, int, ContextEncoding)"/>, V).</param>
    public SoftmaxRegressionModel(CharacterVocabulary vocabulary, int blockSize, ContextEncoding context, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(weights);
        if (!Enum.IsDefined(context))
            throw new ArgumentOutOfRangeException(nameof(context), context, "Unknown context encoding.");
        long rows = RowCount(vocabulary.Size, blockSize, context);
        if (weights.LongLength != rows * vocabulary.Size)
            throw new ArgumentException($"W must have {rows} × {vocabulary.Size} = {rows * vocabulary.Size} values, got {weights.LongLength}.", nameof(weights));
        Vocabulary = vocabulary;
        BlockSize = blockSize;
        Context = context;
        _weights = weights;
        _v = vocabulary.Size;
    }

    /// <inheritdoc/>
    public override CharacterVocabulary Vocabulary { get; }

    /// <inheritdoc/>
    public override int BlockSize { get; }

    /// <summary>How the context selects rows of W.</summary>
    public ContextEncoding Context { get; }

    /// <summary>W, row-major (rows × V). Shared, not copied: do not modify.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Number of rows of W: V^block (joint) or V·block (per position).</summary>
    public static long RowCount(int vocabularySize, int blockSize, ContextEncoding context)
    {
        if (blockSize < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "The block size must be ≥ 1.");
        double rows = context == ContextEncoding.Joint ? Math.Pow(vocabularySize, blockSize) : (double)vocabularySize * blockSize;
        if (rows * vocabularySize > NeuralModelLimits.MaxParameters)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize,
                $"A {context} softmax regression over {vocabularySize} symbols with block size {blockSize} needs {rows * vocabularySize:E2} parameters (limit {NeuralModelLimits.MaxParameters:E0}); use a smaller block or the per-position encoding.");
        return (long)rows;
    }

    /// <summary>The rows of W a context selects (one for joint, one per position otherwise): the lecture's E04, one-hot · W as indexing.</summary>
    public void RowsOf(ReadOnlySpan<int> context, Span<long> rows)
    {
        if (Context == ContextEncoding.Joint)
        {
            rows[0] = (long)ContextWindow.Key(context, _v);
        }
        else
        {
            for (int i = 0; i < context.Length; i++)
                rows[i] = (long)i * _v + Check(context[i]);
        }
    }

    /// <inheritdoc/>
    public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities)
    {
        if (context.Length != BlockSize)
            throw new ArgumentException($"Expected a context of {BlockSize} ids, got {context.Length}.", nameof(context));
        if (probabilities.Length != _v)
            throw new ArgumentException($"Expected room for {_v} probabilities, got {probabilities.Length}.", nameof(probabilities));
        Span<long> rows = stackalloc long[Context == ContextEncoding.Joint ? 1 : BlockSize];
        RowsOf(context, rows);
        // logits = Σ selected rows of W                                   (V)
        probabilities.Clear();
        foreach (long row in rows)
        {
            var w = _weights.AsSpan((int)(row * _v), _v);
            for (int c = 0; c < _v; c++)
                probabilities[c] += w[c];
        }
        // softmax, stabilised by the maximum                               (V)
        double max = double.NegativeInfinity;
        foreach (double logit in probabilities)
            max = Math.Max(max, logit);
        double sum = 0;
        for (int c = 0; c < _v; c++)
            sum += probabilities[c] = Math.Exp(probabilities[c] - max);
        for (int c = 0; c < _v; c++)
            probabilities[c] /= sum;
    }

    private int Check(int id) => (uint)id < (uint)_v ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"Id outside the vocabulary of {_v} symbols.");

    private void Write(BinaryWriter writer)
    {
        Vocabulary.Write(writer);
        writer.Write(BlockSize);
        writer.Write((byte)Context);
        writer.Write(_weights.LongLength);
        StateIO.WriteSingles(writer, _weights);
    }

    private static SoftmaxRegressionModel Read(BinaryReader reader)
    {
        var vocabulary = CharacterVocabulary.Read(reader);
        int blockSize = reader.ReadInt32();
        var context = (ContextEncoding)reader.ReadByte();
        long n = reader.ReadInt64();
        if (n < 0 || n > NeuralModelLimits.MaxParameters)
            throw new InvalidDataException($"A saved softmax regression claims {n} weights; the model file is damaged.");
        var weights = StateIO.ReadSingles(reader, n);
        try
        {
            return new SoftmaxRegressionModel(vocabulary, blockSize, context, weights);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"A saved softmax regression is inconsistent: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("block size", $"{BlockSize} previous characters"),
        new("context", Context.ToString()),
        new("parameters", string.Create(CultureInfo.InvariantCulture, $"{_weights.Length:N0} (W: {_weights.Length / _v:N0} × {_v})")),
    ];

    /// <summary>Saved as kind <c>softmax-regression</c>: vocabulary, block size, context encoding, then W.</summary>
    private sealed class Codec : ModelCodec<SoftmaxRegressionModel>
    {
        public override string Kind => "softmax-regression";

        public override int Version => 1;

        protected override void Write(SoftmaxRegressionModel model, BinaryWriter writer) => model.Write(writer);

        protected override SoftmaxRegressionModel ReadModel(BinaryReader reader) => SoftmaxRegressionModel.Read(reader);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"softmax regression, block {BlockSize}, {Context} context, {Vocabulary.Size} symbols, {_weights.LongLength:N0} parameters");
}

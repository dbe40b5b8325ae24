using System.Globalization;
using System.Numerics.Tensors;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>Batch normalisation of one layer as trained: learned gain and bias, and the running statistics used at inference.</summary>
/// <param name="Gain">γ, one per output (the lectures' <c>bngain</c>).</param>
/// <param name="Bias">β, one per output (<c>bnbias</c>).</param>
/// <param name="RunningMean">The mean used at inference (<c>bnmean_running</c>).</param>
/// <param name="RunningVariance">The variance used at inference (the square of <c>bnstd_running</c>).</param>
/// <param name="Epsilon">Added to the variance (1e-5).</param>
public sealed record BatchNormStatistics(float[] Gain, float[] Bias, float[] RunningMean, float[] RunningVariance, float Epsilon);

/// <summary>
/// One hidden level of an <see cref="MlpModel"/>: fuse <see cref="GroupSize"/> consecutive vectors of the level below,
/// then <c>tanh(BatchNorm(x · W + b))</c>.
/// </summary>
public sealed class MlpLayer
{
    /// <summary>Creates a level.</summary>
    /// <param name="groupSize">Consecutive input vectors fused into one (the block size for Bengio's MLP, 2 for the WaveNet).</param>
    /// <param name="inputSize">Width of each input vector.</param>
    /// <param name="outputSize">Width of the output.</param>
    /// <param name="weight">W, (groupSize·inputSize, outputSize) row-major: the lectures' <c>x @ W</c> layout.</param>
    /// <param name="bias">b (outputSize), or null (a layer followed by batch normalisation has none).</param>
    /// <param name="batchNorm">Batch normalisation after the affine map, or null.</param>
    public MlpLayer(int groupSize, int inputSize, int outputSize, float[] weight, float[]? bias, BatchNormStatistics? batchNorm)
    {
        if (groupSize < 1 || inputSize < 1 || outputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(groupSize), "Group, input and output sizes must be ≥ 1.");
        ArgumentNullException.ThrowIfNull(weight);
        Check(weight, (long)groupSize * inputSize * outputSize, nameof(weight));
        if (bias is not null)
            Check(bias, outputSize, nameof(bias));
        if (batchNorm is not null)
        {
            Check(batchNorm.Gain, outputSize, nameof(batchNorm));
            Check(batchNorm.Bias, outputSize, nameof(batchNorm));
            Check(batchNorm.RunningMean, outputSize, nameof(batchNorm));
            Check(batchNorm.RunningVariance, outputSize, nameof(batchNorm));
            if (!(batchNorm.Epsilon >= 0) || batchNorm.RunningVariance.Any(v => !(v >= 0)))
                throw new ArgumentException("Batch-norm variances and epsilon must be ≥ 0.", nameof(batchNorm));
        }
        GroupSize = groupSize;
        InputSize = inputSize;
        OutputSize = outputSize;
        Weight = weight;
        Bias = bias;
        BatchNorm = batchNorm;
        (FoldedWeight, FoldedBias) = Fold();
        FoldedWeightTransposed = Transpose(FoldedWeight, groupSize * inputSize, outputSize);
    }

    /// <summary>Consecutive input vectors fused into one.</summary>
    public int GroupSize { get; }

    /// <summary>Width of each input vector.</summary>
    public int InputSize { get; }

    /// <summary>Width of the output.</summary>
    public int OutputSize { get; }

    /// <summary>W as trained, (GroupSize·InputSize, OutputSize).</summary>
    public float[] Weight { get; }

    /// <summary>b as trained, or null.</summary>
    public float[]? Bias { get; }

    /// <summary>Batch normalisation as trained, or null.</summary>
    public BatchNormStatistics? BatchNorm { get; }

    /// <summary>W with the inference-time batch normalisation folded in: each column scaled by γ / √(var + ε).</summary>
    internal float[] FoldedWeight { get; }

    /// <summary><see cref="FoldedWeight"/> transposed, (OutputSize, GroupSize·InputSize): each output is one long dot product.</summary>
    internal float[] FoldedWeightTransposed { get; }

    /// <summary>(b − mean) · γ / √(var + ε) + β, or b without batch normalisation.</summary>
    internal float[] FoldedBias { get; }

    /// <summary>Parameters as trained (running statistics are buffers, not counted).</summary>
    public long ParameterCount => Weight.LongLength + (Bias?.Length ?? 0) + (BatchNorm is null ? 0 : 2L * OutputSize);

    private (float[] Weight, float[] Bias) Fold()
    {
        var bias = Bias is null ? new float[OutputSize] : (float[])Bias.Clone();
        if (BatchNorm is not { } bn)
            return (Weight, bias);
        var scale = new float[OutputSize];
        for (int c = 0; c < OutputSize; c++)
        {
            scale[c] = (float)(bn.Gain[c] / Math.Sqrt(bn.RunningVariance[c] + bn.Epsilon));
            bias[c] = (bias[c] - bn.RunningMean[c]) * scale[c] + bn.Bias[c];
        }
        var weight = GC.AllocateUninitializedArray<float>(Weight.Length); // every row is written below
        for (int row = 0; row < GroupSize * InputSize; row++)
            TensorPrimitives.Multiply(Weight.AsSpan(row * OutputSize, OutputSize), scale, weight.AsSpan(row * OutputSize, OutputSize));
        return (weight, bias);
    }

    // In tiles of 32 × 32, so that the strided writes stay in the cache: the plain loop missed it at every write of a
    // large layer (a 3,600 × 3,600 one took about 60 ms of a 13M-parameter model's load).
    internal static float[] Transpose(float[] matrix, int rows, int columns)
    {
        const int Tile = 32;
        var transposed = GC.AllocateUninitializedArray<float>(matrix.Length); // every element is written below
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int rEnd = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int cEnd = Math.Min(c0 + Tile, columns);
                for (int r = r0; r < rEnd; r++)
                    for (int c = c0; c < cEnd; c++)
                        transposed[c * rows + r] = matrix[r * columns + c];
            }
        }
        return transposed;
    }

    private static void Check(float[] values, long expected, string name)
    {
        if (values.LongLength != expected)
            throw new ArgumentException($"Expected {expected} values, got {values.LongLength}.", name);
    }
}

/// <summary>
/// The MLP family of the lectures, as one plain C# forward pass (no libtorch): character embeddings of the window,
/// hidden levels that fuse consecutive vectors, a linear read-out and a softmax. One level fusing the whole window is
/// Bengio et al. 2003's MLP (lecture part 2), with batch normalisation the part 3–4 model; levels fusing pairs are the
/// WaveNet-style hierarchy of part 5 (van den Oord et al. 2016). Batch normalisation is folded into the weights.
/// </summary>
public sealed partial class MlpModel : WindowLanguageModel
{
    private readonly float[] _embedding;
    private readonly MlpLayer[] _layers;
    private readonly float[] _outputWeight;
    private readonly float[] _outputBias;
    private readonly float[] _outputWeightTransposed; // (V, H): each logit is one dot product of length H
    private readonly int _v;
    private readonly int _widest;

    // The first level's x · W' for every (position in a group, character): C[c] · W'[p·E..(p+1)·E) — the lectures' E04
    // (one-hot · W is a row lookup) carried through the embedding, so the first level is g row additions per group
    // instead of g·E·H multiply-adds. (g, V, H) row-major; null when it would be larger than the level's weights ×8.
    private readonly float[]? _firstLevel;

    /// <summary>Creates a model from its trained parameters.</summary>
    /// <param name="vocabulary">The characters; V = <c>vocabulary.Size</c>.</param>
    /// <param name="blockSize">Previous characters seen; the product of the levels' group sizes.</param>
    /// <param name="embeddingSize">E, the width of a character's embedding.</param>
    /// <param name="embedding">
    /// C, (V, E) row-major; or (V + 1, E), whose last row is makemore.py's <c>&lt;BLANK&gt;</c> (see <see cref="HasBlankPadding"/>).
    /// </param>
    /// <param name="layers">The hidden levels, lowest first.</param>
    /// <param name="outputWeight">The read-out W, (H, V) with H the last level's output size.</param>
    /// <param name="outputBias">The read-out b, (V).</param>
    public MlpModel(CharacterVocabulary vocabulary, int blockSize, int embeddingSize, float[] embedding, IReadOnlyList<MlpLayer> layers,
        float[] outputWeight, float[] outputBias)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(outputWeight);
        ArgumentNullException.ThrowIfNull(outputBias);
        if (blockSize < 1 || embeddingSize < 1 || layers.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize), "Block size and embedding size must be ≥ 1, with at least one hidden level.");
        int v = vocabulary.Size;
        if (embedding.LongLength != (long)v * embeddingSize && embedding.LongLength != (long)(v + 1) * embeddingSize)
            throw new ArgumentException($"C must have {v} × {embeddingSize} values (or {v + 1} × {embeddingSize} with makemore.py's <BLANK> row), got {embedding.LongLength}.", nameof(embedding));
        int positions = blockSize, width = embeddingSize;
        foreach (var layer in layers)
        {
            if (layer.InputSize != width || positions % layer.GroupSize != 0)
                throw new ArgumentException($"A level takes {layer.GroupSize} vectors of {layer.InputSize}, but the level below gives {positions} of {width}.", nameof(layers));
            positions /= layer.GroupSize;
            width = layer.OutputSize;
        }
        if (positions != 1)
            throw new ArgumentException($"The levels fuse the {blockSize} positions into {positions} vectors, not 1: their group sizes must multiply to the block size.", nameof(layers));
        if (outputWeight.LongLength != (long)width * v || outputBias.Length != v)
            throw new ArgumentException($"The read-out must be {width} × {v} with {v} biases.", nameof(outputWeight));
        Vocabulary = vocabulary;
        BlockSize = blockSize;
        EmbeddingSize = embeddingSize;
        _embedding = embedding;
        _layers = [.. layers];
        _outputWeight = outputWeight;
        _outputBias = outputBias;
        _v = v;
        HasBlankPadding = embedding.LongLength != (long)v * embeddingSize;
        _widest = Math.Max(blockSize * embeddingSize, layers.Max(l => l.OutputSize * blockSize));
        _firstLevel = FirstLevelTable();
        _outputWeightTransposed = MlpLayer.Transpose(outputWeight, layers[^1].OutputSize, v);
        NeuralModelLimits.CheckParameterCount(ParameterCount, nameof(layers));
    }

    /// <inheritdoc/>
    public override CharacterVocabulary Vocabulary { get; }

    /// <inheritdoc/>
    public override int BlockSize { get; }

    /// <summary>E, the width of a character embedding.</summary>
    public int EmbeddingSize { get; }

    /// <summary>
    /// Whether window positions before the start token read their own embedding, makemore.py's <c>&lt;BLANK&gt;</c>
    /// (row V of <see cref="Embedding"/>), instead of the boundary's: makemore.py's <c>MLP</c> pads with <c>&lt;BLANK&gt;</c>
    /// and reads the start token 0 once, the lectures' MLP pads with 0. Of a window's leading boundary ids, the last is
    /// the start token and the others are <c>&lt;BLANK&gt;</c>. False for the models trained here.
    /// </summary>
    public bool HasBlankPadding { get; }

    /// <summary>C, (V, E) row-major, or (V + 1, E) with <see cref="HasBlankPadding"/>. Shared: do not modify.</summary>
    public ReadOnlySpan<float> Embedding => _embedding;

    /// <summary>The hidden levels, lowest first.</summary>
    public IReadOnlyList<MlpLayer> Layers => _layers;

    /// <summary>The read-out W, (H, V). Shared: do not modify.</summary>
    public ReadOnlySpan<float> OutputWeight => _outputWeight;

    /// <summary>The read-out b, (V). Shared: do not modify.</summary>
    public ReadOnlySpan<float> OutputBias => _outputBias;

    /// <summary>Trained parameters (batch-norm running statistics excluded, as PyTorch counts them).</summary>
    public long ParameterCount => _embedding.LongLength + _layers.Sum(l => l.ParameterCount) + _outputWeight.LongLength + _outputBias.Length;

    /// <inheritdoc/>
    public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities)
    {
        if (context.Length != BlockSize)
            throw new ArgumentException($"Expected a context of {BlockSize} ids, got {context.Length}.", nameof(context));
        if (probabilities.Length != _v)
            throw new ArgumentException($"Expected room for {_v} probabilities, got {probabilities.Length}.", nameof(probabilities));
        foreach (int id in context)
            if ((uint)id >= (uint)_v)
                throw new ArgumentOutOfRangeException(nameof(context), id, $"Id outside the vocabulary of {_v} symbols.");
        if (HasBlankPadding && context.Length > 1 && context[0] == 0 && context[1] == 0)
        {
            // makemore.py's window: <BLANK> (id V) before the start token, i.e. every leading 0 but the last
            Span<int> padded = context.Length <= 256 ? stackalloc int[context.Length] : new int[context.Length];
            context.CopyTo(padded);
            for (int i = 0; i + 1 < padded.Length && padded[i + 1] == 0; i++)
                padded[i] = _v;
            Forward(padded, probabilities);
        }
        else
            Forward(context, probabilities);
    }

    // The forward pass over a checked window (ids 0…V−1, or V for <BLANK>).
    private void Forward(ReadOnlySpan<int> context, Span<double> probabilities)
    {
        Span<float> a = _widest <= 4096 ? stackalloc float[_widest] : new float[_widest];
        Span<float> b = _widest <= 4096 ? stackalloc float[_widest] : new float[_widest];
        int positions = BlockSize, first = 0;
        if (_firstLevel is not null)
        {
            // tanh(b' + Σ_p table[p, context[g·group + p]])                   (block / group, out)
            var layer = _layers[0];
            int groups = positions / layer.GroupSize, width = layer.OutputSize, firstLevelIds = HasBlankPadding ? _v + 1 : _v;
            for (int g = 0; g < groups; g++)
            {
                var output = a.Slice(g * width, width);
                layer.FoldedBias.CopyTo(output);
                for (int p = 0; p < layer.GroupSize; p++)
                    TensorPrimitives.Add(output, _firstLevel.AsSpan((p * firstLevelIds + context[g * layer.GroupSize + p]) * width, width), output);
                TensorPrimitives.Tanh(output, output);
            }
            positions = groups;
            first = 1;
        }
        else
        {
            // x = C[context].view(-1)                                        (block · E)
            for (int i = 0; i < context.Length; i++)
                _embedding.AsSpan(context[i] * EmbeddingSize, EmbeddingSize).CopyTo(a[(i * EmbeddingSize)..]);
        }
        foreach (var layer in _layers.AsSpan(first))
        {
            // (positions / g, g · in) → tanh(x · W' + b')                     (positions / g, out)
            int groups = positions / layer.GroupSize, fanIn = layer.GroupSize * layer.InputSize, width = layer.OutputSize;
            for (int g = 0; g < groups; g++)
            {
                var input = a.Slice(g * fanIn, fanIn);
                var output = b.Slice(g * width, width);
                for (int j = 0; j < width; j++)
                    output[j] = layer.FoldedBias[j] + TensorPrimitives.Dot(layer.FoldedWeightTransposed.AsSpan(j * fanIn, fanIn), input);
                TensorPrimitives.Tanh(output, output);
            }
            positions = groups;
            b[..(groups * width)].CopyTo(a);
        }
        // logits = h · W_out + b_out                                          (V)
        int hidden = _layers[^1].OutputSize;
        Span<float> logits = _v <= 1024 ? stackalloc float[_v] : new float[_v];
        var h = a[..hidden];
        for (int c = 0; c < _v; c++)
            logits[c] = _outputBias[c] + TensorPrimitives.Dot(_outputWeightTransposed.AsSpan(c * hidden, hidden), h);
        // softmax, stabilised by the maximum                                 (V)
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        for (int c = 0; c < _v; c++)
            sum += probabilities[c] = Math.Exp(logits[c] - max);
        for (int c = 0; c < _v; c++)
            probabilities[c] /= sum;
    }

    private float[]? FirstLevelTable()
    {
        var layer = _layers[0];
        long size = (long)layer.GroupSize * _v * layer.OutputSize;
        if (size > 8L * layer.FoldedWeight.Length || size > 16_000_000)
            return null;
        int ids = HasBlankPadding ? _v + 1 : _v; // the <BLANK> id V has its row too
        size = (long)layer.GroupSize * ids * layer.OutputSize;
        var table = new float[size];
        int e = EmbeddingSize, width = layer.OutputSize;
        for (int p = 0; p < layer.GroupSize; p++)
            for (int c = 0; c < ids; c++)
            {
                var row = table.AsSpan((p * ids + c) * width, width);
                for (int k = 0; k < e; k++)
                    TensorPrimitives.MultiplyAdd(layer.FoldedWeight.AsSpan((p * e + k) * width, width), _embedding[c * e + k], row, row);
            }
        return table;
    }

    /// <summary>The architecture in one line, e.g. <c>emb 24 → [2×24→128 bn tanh] → [2×128→128 bn tanh] → … → 27</c>.</summary>
    public string Architecture =>
        $"emb {EmbeddingSize}{(HasBlankPadding ? " (+<BLANK>)" : "")} → " + string.Join(" → ", _layers.Select(l => $"[{l.GroupSize}×{l.InputSize}→{l.OutputSize}{(l.BatchNorm is null ? "" : " bn")} tanh]")) + $" → {_v}";

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("block size", $"{BlockSize} previous characters"),
        new("layers", Architecture),
        new("parameters", ParameterCount.ToString("N0", CultureInfo.InvariantCulture)),
    ];

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"MLP, block {BlockSize}, {Architecture}, {ParameterCount:N0} parameters");

    /// <summary>
    /// Saved as kind <c>mlp</c>: vocabulary, block size, E, C, then per level group/in/out sizes, W, optional b and
    /// batch-norm statistics as trained (folded again at load), then the read-out.
    /// </summary>
    private sealed class Codec : ModelCodec<MlpModel>
    {
        public override string Kind => "mlp";

        public override int Version => 1;

        protected override void Write(MlpModel model, BinaryWriter writer)
        {
            model.Vocabulary.Write(writer);
            writer.Write(model.BlockSize);
            writer.Write(model.EmbeddingSize);
            StateIO.WriteArray(writer, model._embedding);
            writer.Write(model._layers.Length);
            foreach (var layer in model._layers)
            {
                writer.Write(layer.GroupSize);
                writer.Write(layer.InputSize);
                writer.Write(layer.OutputSize);
                StateIO.WriteArray(writer, layer.Weight);
                writer.Write(layer.Bias is not null);
                if (layer.Bias is not null)
                    StateIO.WriteArray(writer, layer.Bias);
                writer.Write(layer.BatchNorm is not null);
                if (layer.BatchNorm is { } bn)
                {
                    StateIO.WriteArray(writer, bn.Gain);
                    StateIO.WriteArray(writer, bn.Bias);
                    StateIO.WriteArray(writer, bn.RunningMean);
                    StateIO.WriteArray(writer, bn.RunningVariance);
                    writer.Write(bn.Epsilon);
                }
            }
            StateIO.WriteArray(writer, model._outputWeight);
            StateIO.WriteArray(writer, model._outputBias);
        }

        protected override MlpModel ReadModel(BinaryReader reader)
        {
            var vocabulary = CharacterVocabulary.Read(reader);
            int blockSize = reader.ReadInt32();
            int embeddingSize = reader.ReadInt32();
            var embedding = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
            int count = reader.ReadInt32();
            if (count < 1 || count > 64)
                throw new InvalidDataException($"A saved MLP claims {count} levels; the model file is damaged.");
            var layers = new List<MlpLayer>(count);
            try
            {
                for (int i = 0; i < count; i++)
                {
                    int group = reader.ReadInt32(), input = reader.ReadInt32(), output = reader.ReadInt32();
                    var weight = StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters);
                    var bias = reader.ReadBoolean() ? StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters) : null;
                    BatchNormStatistics? bn = reader.ReadBoolean()
                        ? new BatchNormStatistics(StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters), StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters),
                            StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters), StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters), reader.ReadSingle())
                        : null;
                    layers.Add(new MlpLayer(group, input, output, weight, bias, bn));
                }
                return new MlpModel(vocabulary, blockSize, embeddingSize, embedding, layers,
                    StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters), StateIO.ReadArray(reader, NeuralModelLimits.MaxParameters));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"A saved MLP is inconsistent: {e.Message}", e);
            }
        }
    }
}

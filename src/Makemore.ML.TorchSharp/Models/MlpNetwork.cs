using Makemore.ML.Inference;
using Makemore.ML.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>Which of the lectures' MLP-family models to build; each sets the layers and the initialisation of its lecture.</summary>
public enum MlpKind
{
    /// <summary>Bengio et al. 2003 (lecture part 2): embeddings of the window concatenated, one tanh layer with bias, N(0, 1) initialisation.</summary>
    Mlp,
    /// <summary>Lecture part 3: the same with batch normalisation before tanh, Kaiming-style (5/3)/√fan_in initialisation, a small read-out.</summary>
    BatchNormMlp,
    /// <summary>Lecture part 5 (van den Oord et al. 2016): consecutive pairs fused in log2(block) levels, each linear → batch norm → tanh.</summary>
    WaveNet,
}

/// <summary>
/// One hidden level for training: fuse <see cref="GroupSize"/> consecutive vectors, <c>x @ W (+ b)</c>, optional
/// batch normalisation over batch and positions (the lecture's BatchNorm1d on 3-D input), tanh.
/// </summary>
public sealed class MlpLevel : nn.Module<Tensor, Tensor>
{
    internal MlpLevel(string name, int groupSize, int inputSize, int outputSize, bool bias, bool batchNorm, double weightScale, Generator generator)
        : base(name)
    {
        GroupSize = groupSize;
        W = nn.Parameter(randn(groupSize * inputSize, outputSize, generator: generator) * weightScale); // (g·in, out)
        b = bias ? nn.Parameter(randn(outputSize, generator: generator)) : null; // (out)
        bn = batchNorm ? nn.BatchNorm1d(outputSize) : null;
        RegisterComponents();
    }

    /// <summary>Consecutive input vectors fused into one.</summary>
    public int GroupSize { get; }

    /// <summary>The weights, (g·in, out); state-dict key <c>W</c>.</summary>
    public Parameter W { get; }

    /// <summary>The bias, or null; state-dict key <c>b</c>.</summary>
    public Parameter? b { get; }

    /// <summary>Batch normalisation, or null; state-dict key <c>bn</c>.</summary>
    public BatchNorm1d? bn { get; }

    /// <summary>(B, T, in) → (B, T / g, out).</summary>
    public override Tensor forward(Tensor x)
    {
        long batch = x.shape[0], positions = x.shape[1] / GroupSize;
        var h = x.reshape(batch, positions, -1).matmul(W); // (B, T/g, g·in) @ (g·in, out) → (B, T/g, out)
        if (b is not null)
            h = h + b;
        if (bn is not null)
            h = bn.call(h.transpose(1, 2)).transpose(1, 2); // statistics over batch and positions, per output
        return h.tanh(); // (B, T/g, out)
    }

    internal MlpLayer ToLayer(int inputSize)
    {
        BatchNormStatistics? statistics = bn is null ? null : new BatchNormStatistics(
            Floats(bn.weight!), Floats(bn.bias!), Floats(bn.running_mean!), Floats(bn.running_var!), 1e-5f);
        return new MlpLayer(GroupSize, inputSize, (int)W.shape[1], Floats(W), b is null ? null : Floats(b), statistics);
    }

    internal void Load(MlpLayer layer)
    {
        using var _ = no_grad();
        W.copy_(tensor(layer.Weight, W.shape));
        if (b is not null && layer.Bias is not null)
            b.copy_(tensor(layer.Bias));
        if (bn is not null && layer.BatchNorm is { } s)
        {
            bn.weight!.copy_(tensor(s.Gain));
            bn.bias!.copy_(tensor(s.Bias));
            bn.running_mean!.copy_(tensor(s.RunningMean));
            bn.running_var!.copy_(tensor(s.RunningVariance));
        }
    }

    internal static float[] Floats(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}

/// <summary>
/// The MLP family for training on TorchSharp: embeddings C (V, E), hidden <see cref="MlpLevel"/>s, a linear read-out.
/// <see cref="ToModel"/> copies it into the plain C# <see cref="MlpModel"/> that scores and samples without libtorch.
/// </summary>
public sealed class MlpNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>Builds the network of <paramref name="kind"/> with the lecture's initialisation, drawn from <paramref name="generator"/>.</summary>
    /// <param name="kind">Which lecture model.</param>
    /// <param name="vocabularySize">V.</param>
    /// <param name="blockSize">Previous characters seen; a power of 2 for <see cref="MlpKind.WaveNet"/>.</param>
    /// <param name="embeddingSize">E.</param>
    /// <param name="hiddenSize">Units per hidden level.</param>
    /// <param name="generator">Draws every initial weight.</param>
    /// <param name="hiddenLayers">
    /// Hidden levels: for <see cref="MlpKind.Mlp"/> and <see cref="MlpKind.BatchNormMlp"/> the first fuses the window and
    /// each further one maps H → H (part 3's deeper network); a WaveNet has log2(block) levels. Null for the kind's own
    /// (1, or log2(block)).
    /// </param>
    public MlpNetwork(MlpKind kind, int vocabularySize, int blockSize, int embeddingSize, int hiddenSize, Generator generator, int? hiddenLayers = null)
        : base(nameof(MlpNetwork))
    {
        int own = kind == MlpKind.WaveNet ? System.Numerics.BitOperations.Log2((uint)Math.Max(blockSize, 1)) : 1;
        if (hiddenLayers is int requested && (requested < 1 || requested > 64 || (kind == MlpKind.WaveNet && requested != own)))
            throw new ArgumentOutOfRangeException(nameof(hiddenLayers), requested,
                kind == MlpKind.WaveNet ? $"A WaveNet of block {blockSize} has {own} levels (log2 of the block)." : "Hidden layers must be 1–64.");
        if (kind == MlpKind.WaveNet && (blockSize < 2 || (blockSize & (blockSize - 1)) != 0))
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "A WaveNet fuses pairs: its block size must be a power of 2 (the lecture: 8).");
        Kind = kind;
        VocabularySize = vocabularySize;
        BlockSize = blockSize;
        EmbeddingSize = embeddingSize;
        C = nn.Parameter(randn(vocabularySize, embeddingSize, generator: generator)); // (V, E)
        var levels = new List<MlpLevel>();
        int width = embeddingSize;
        int group = kind == MlpKind.WaveNet ? 2 : blockSize;
        for (int positions = blockSize, i = 0; positions > 1; positions /= group, i++)
        {
            double scale = kind switch
            {
                MlpKind.Mlp => 1.0, // part 2: plain randn
                MlpKind.BatchNormMlp => 5.0 / 3 / Math.Sqrt(group * width), // part 3: tanh gain / √fan_in
                MlpKind.WaveNet => 1.0 / Math.Sqrt(group * width), // part 5's Linear: randn / √fan_in
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown MLP kind."),
            };
            levels.Add(new MlpLevel($"level{i}", group, width, hiddenSize, bias: kind == MlpKind.Mlp, batchNorm: kind != MlpKind.Mlp, scale, generator));
            width = hiddenSize;
        }
        // Block 1 has nothing to fuse: its first level reads the single embedding; further levels map H → H.
        for (int i = levels.Count; i < (hiddenLayers ?? own); i++)
        {
            double scale = kind switch { MlpKind.Mlp => 1.0, MlpKind.BatchNormMlp => 5.0 / 3 / Math.Sqrt(width), _ => 1 / Math.Sqrt(width) };
            levels.Add(new MlpLevel($"level{i}", 1, width, hiddenSize, bias: kind == MlpKind.Mlp, batchNorm: kind != MlpKind.Mlp, scale, generator));
            width = hiddenSize;
        }
        this.levels = nn.ModuleList(levels.ToArray());
        double readOut = kind switch { MlpKind.Mlp => 1.0, MlpKind.BatchNormMlp => 0.01, _ => 0.1 / Math.Sqrt(hiddenSize) };
        W = nn.Parameter(randn(hiddenSize, vocabularySize, generator: generator) * readOut); // (H, V)
        b = nn.Parameter(kind == MlpKind.Mlp ? randn(vocabularySize, generator: generator) : zeros(vocabularySize)); // (V)
        RegisterComponents();
    }

    /// <summary>Which lecture model.</summary>
    public MlpKind Kind { get; }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <summary>Previous characters seen.</summary>
    public int BlockSize { get; }

    /// <summary>E.</summary>
    public int EmbeddingSize { get; }

    /// <summary>The character embeddings (V, E); state-dict key <c>C</c>.</summary>
    public Parameter C { get; }

    /// <summary>The hidden levels, lowest first.</summary>
    public ModuleList<MlpLevel> levels { get; }

    /// <summary>The read-out weights (H, V).</summary>
    public Parameter W { get; }

    /// <summary>The read-out bias (V).</summary>
    public Parameter b { get; }

    /// <summary>Logits for a batch of windows.</summary>
    /// <param name="contexts">(B, block) int64 ids, oldest first.</param>
    /// <returns>(B, V) logits.</returns>
    public override Tensor forward(Tensor contexts)
    {
        var x = C.index_select(0, contexts.flatten()).view(contexts.shape[0], BlockSize, EmbeddingSize); // (B, block, E)
        foreach (var level in levels)
            x = level.call(x); // (B, T/g, H)
        return x.squeeze(1).matmul(W) + b; // (B, H) @ (H, V) → (B, V)
    }

    /// <summary>Parameters that weight decay applies to: the weight matrices (not embeddings, biases or batch-norm gains).</summary>
    public IEnumerable<Parameter> DecayedParameters() => levels.Select(l => l.W).Append(W);

    /// <summary>Copies the trained network (eval-mode batch norm: running statistics) into a plain C# model.</summary>
    public MlpModel ToModel(CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Size != VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Size} symbols; the network was built for {VocabularySize}.", nameof(vocabulary));
        var layers = new List<MlpLayer>();
        int width = EmbeddingSize;
        foreach (var level in levels)
        {
            var layer = level.ToLayer(width);
            layers.Add(layer);
            width = layer.OutputSize;
        }
        return new MlpModel(vocabulary, BlockSize, EmbeddingSize, MlpLevel.Floats(C), layers, MlpLevel.Floats(W), MlpLevel.Floats(b));
    }

    /// <summary>Turns a saved model back into a network (warm start): same kind, sizes and parameters.</summary>
    public static MlpNetwork FromModel(MlpModel model, MlpKind kind)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var generator = new Generator(0);
        var network = new MlpNetwork(kind, model.Vocabulary.Size, model.BlockSize, model.EmbeddingSize, model.Layers[0].OutputSize, generator,
            kind == MlpKind.WaveNet ? null : model.Layers.Count);
        if (network.levels.Count != model.Layers.Count)
            throw new ArgumentException($"The model has {model.Layers.Count} levels; a {kind} of block {model.BlockSize} has {network.levels.Count}.", nameof(model));
        using var _ = no_grad();
        network.C.copy_(tensor(model.Embedding.ToArray(), network.C.shape));
        for (int i = 0; i < model.Layers.Count; i++)
            network.levels[i].Load(model.Layers[i]);
        network.W.copy_(tensor(model.OutputWeight.ToArray(), network.W.shape));
        network.b.copy_(tensor(model.OutputBias.ToArray()));
        return network;
    }
}

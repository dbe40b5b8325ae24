using Makemore.ML.Inference;
using Makemore.ML.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>
/// Initial weights as PyTorch's defaults, drawn from a given generator (TorchSharp's module constructors draw from the
/// global one): nn.Linear's weight and bias U(−1/√fan_in, 1/√fan_in) (its kaiming_uniform with a = √5), nn.Embedding
/// N(0, 1), nn.LayerNorm ones and zeros. Same distributions as makemore.py; not the same numbers as its global seed.
/// </summary>
internal static class DefaultInit
{
    public static void Linear(Linear linear, Generator generator)
    {
        using var _ = no_grad();
        double bound = 1 / Math.Sqrt(linear.weight!.shape[1]);
        linear.weight.uniform_(-bound, bound, generator);
        linear.bias?.uniform_(-bound, bound, generator);
    }

    public static void Embedding(Embedding embedding, Generator generator)
    {
        using var _ = no_grad();
        embedding.weight!.normal_(0, 1, generator);
    }

    public static float[] Floats(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}

/// <summary>makemore.py's <c>CausalSelfAttention</c>: multi-head masked self-attention with an output projection.</summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;

    internal CausalSelfAttention(int embeddingSize, int headCount, Generator generator) : base(nameof(CausalSelfAttention))
    {
        _heads = headCount;
        c_attn = nn.Linear(embeddingSize, 3 * embeddingSize);
        c_proj = nn.Linear(embeddingSize, embeddingSize);
        DefaultInit.Linear(c_attn, generator);
        DefaultInit.Linear(c_proj, generator);
        RegisterComponents();
    }

    /// <summary>Query, key and value projections of all heads, (3C, C).</summary>
    public Linear c_attn { get; }

    /// <summary>The output projection, (C, C).</summary>
    public Linear c_proj { get; }

    /// <summary>(B, T, C) → (B, T, C).</summary>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        var qkv = c_attn.call(x).split(c, 2); // 3 × (B, T, C)
        var q = qkv[0].view(b, t, _heads, c / _heads).transpose(1, 2); // (B, nh, T, hs)
        var k = qkv[1].view(b, t, _heads, c / _heads).transpose(1, 2); // (B, nh, T, hs)
        var v = qkv[2].view(b, t, _heads, c / _heads).transpose(1, 2); // (B, nh, T, hs)
        // softmax(q kᵀ / √hs, masked to s ≤ t) v, as makemore.py writes out by hand         (B, nh, T, hs)
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        y = y.transpose(1, 2).contiguous().view(b, t, c); // heads side by side (B, T, C)
        return c_proj.call(y);
    }
}

/// <summary>makemore.py's <c>Block</c>: <c>x + attn(ln_1(x))</c>, then <c>x + mlp(ln_2(x))</c> with a GELU MLP of 4·C.</summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly SeededDropout _residualDropout;

    internal TransformerBlock(string name, int embeddingSize, int headCount, SeededDropout residualDropout, Generator generator) : base(name)
    {
        ln_1 = nn.LayerNorm(embeddingSize);
        attn = new CausalSelfAttention(embeddingSize, headCount, generator);
        _residualDropout = residualDropout;
        ln_2 = nn.LayerNorm(embeddingSize);
        c_fc = nn.Linear(embeddingSize, 4 * embeddingSize);
        c_proj = nn.Linear(4 * embeddingSize, embeddingSize);
        DefaultInit.Linear(c_fc, generator);
        DefaultInit.Linear(c_proj, generator);
        RegisterComponents();
    }

    /// <summary>LayerNorm before attention.</summary>
    public LayerNorm ln_1 { get; }

    /// <summary>The attention.</summary>
    public CausalSelfAttention attn { get; }

    /// <summary>LayerNorm before the MLP.</summary>
    public LayerNorm ln_2 { get; }

    /// <summary>The MLP's first layer, (4C, C) (makemore.py's <c>mlp.c_fc</c>).</summary>
    public Linear c_fc { get; }

    /// <summary>The MLP's projection, (C, 4C) (makemore.py's <c>mlp.c_proj</c>).</summary>
    public Linear c_proj { get; }

    /// <summary>(B, T, C) → (B, T, C).</summary>
    public override Tensor forward(Tensor x)
    {
        x = x + _residualDropout.call(attn.call(ln_1.call(x)));
        var h = c_fc.call(ln_2.call(x)); // (B, T, 4C)
        // makemore.py's NewGELU, 0.5 h (1 + tanh(√(2/π) (h + 0.044715 h³))): libtorch's fused tanh-approximate GELU,
        // one op forward and one backward instead of eight of each
        h = h.gelu(GELU.Approximate.tanh);
        return x + _residualDropout.call(c_proj.call(h)); // dropout only while training (identity in eval mode)
    }

    internal TransformerBlockWeights ToWeights() => new(
        DefaultInit.Floats(ln_1.weight!), DefaultInit.Floats(ln_1.bias!),
        DefaultInit.Floats(attn.c_attn.weight!), DefaultInit.Floats(attn.c_attn.bias!),
        DefaultInit.Floats(attn.c_proj.weight!), DefaultInit.Floats(attn.c_proj.bias!),
        DefaultInit.Floats(ln_2.weight!), DefaultInit.Floats(ln_2.bias!),
        DefaultInit.Floats(c_fc.weight!), DefaultInit.Floats(c_fc.bias!),
        DefaultInit.Floats(c_proj.weight!), DefaultInit.Floats(c_proj.bias!));
}

/// <summary>
/// A GPT-2 style Transformer (Radford et al. 2019) for training on TorchSharp, exactly as makemore.py's
/// <c>Transformer</c>: token and learned position embeddings, <see cref="TransformerBlock"/>s, a final LayerNorm and a
/// read-out without bias. <see cref="ToModel"/> copies it into the plain C# <see cref="TransformerModel"/>.
/// </summary>
public sealed class TransformerNetwork : nn.Module<Tensor, Tensor>, ISequenceNetwork, IStochasticNetwork
{
    /// <summary>makemore.py's default blocks (n_layer).</summary>
    public const int DefaultLayerCount = 4;

    /// <summary>makemore.py's default heads (n_head).</summary>
    public const int DefaultHeadCount = 4;

    /// <summary>makemore.py's default width (n_embd).</summary>
    public const int DefaultEmbeddingSize = 64;

    private readonly Generator _dropoutGenerator;
    private readonly SeededDropout _embeddingDropout;

    /// <summary>The dropout masks' generator, saved in checkpoints.</summary>
    Generator IStochasticNetwork.TrainingGenerator => _dropoutGenerator;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from <paramref name="generator"/>.</summary>
    /// <param name="vocabularySize">V.</param>
    /// <param name="blockSize">T, the positions learned (makemore.py: the longest name + 1).</param>
    /// <param name="generator">Draws every initial weight.</param>
    /// <param name="layerCount">Blocks (n_layer).</param>
    /// <param name="headCount">Heads per block (n_head); must divide <paramref name="embeddingSize"/>.</param>
    /// <param name="embeddingSize">C (n_embd).</param>
    /// <param name="dropout">
    /// Dropout probability while training, on the embeddings and on each residual branch (as GPT-2 places it; the masks
    /// come from a generator seeded from <paramref name="generator"/>). 0 (makemore.py) leaves the network exactly
    /// makemore.py's. Inference never drops.
    /// </param>
    /// <param name="tieWeights">
    /// Read out through the token embeddings (logits = ln_f(x) · wteᵀ; Press &amp; Wolf 2017, as GPT-2) instead of a
    /// separate <c>lm_head</c>: V·C fewer parameters, the table drawn N(0, 1) as makemore.py's embeddings (scaling it
    /// to GPT-2's 0.02 drowned the characters under the N(0, 1) positions: dev 2.2855 against 2.1654 at 2,000 steps).
    /// False (makemore.py) keeps the separate read-out.
    /// </param>
    public TransformerNetwork(int vocabularySize, int blockSize, Generator generator, int layerCount = DefaultLayerCount,
        int headCount = DefaultHeadCount, int embeddingSize = DefaultEmbeddingSize, double dropout = 0, bool tieWeights = false)
        : base(nameof(TransformerNetwork))
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (vocabularySize < 1 || blockSize < 1 || layerCount < 0 || headCount < 1 || embeddingSize < 1 || embeddingSize % headCount != 0)
            throw new ArgumentOutOfRangeException(nameof(headCount),
                $"Sizes must be positive and the heads must divide the embedding size ({embeddingSize} / {headCount}).");
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        VocabularySize = vocabularySize;
        BlockSize = blockSize;
        HeadCount = headCount;
        EmbeddingSize = embeddingSize;
        wte = nn.Embedding(vocabularySize, embeddingSize);
        wpe = nn.Embedding(blockSize, embeddingSize);
        DefaultInit.Embedding(wte, generator);
        DefaultInit.Embedding(wpe, generator);
        _dropoutGenerator = new Generator(0); // seeded below, after every weight is drawn
        _embeddingDropout = new SeededDropout(dropout, _dropoutGenerator);
        h = nn.ModuleList(Enumerable.Range(0, layerCount).Select(i => new TransformerBlock($"h{i}", embeddingSize, headCount, new SeededDropout(dropout, _dropoutGenerator), generator)).ToArray());
        ln_f = nn.LayerNorm(embeddingSize);
        if (!tieWeights)
        {
            lm_head = nn.Linear(embeddingSize, vocabularySize, hasBias: false);
            DefaultInit.Linear(lm_head, generator);
        }

        if (dropout > 0) // one draw after the weights: they are the same with and without dropout
        {
            using var seed = randint(long.MaxValue, [1], dtype: int64, generator: generator);
            _dropoutGenerator.manual_seed(seed.item<long>());
        }
        RegisterComponents();
    }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <summary>Heads per block.</summary>
    public int HeadCount { get; }

    /// <summary>C.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Token embeddings (V, C).</summary>
    public Embedding wte { get; }

    /// <summary>Position embeddings (T, C).</summary>
    public Embedding wpe { get; }

    /// <summary>The blocks.</summary>
    public ModuleList<TransformerBlock> h { get; }

    /// <summary>The final LayerNorm.</summary>
    public LayerNorm ln_f { get; }

    /// <summary>The read-out (V, C), no bias; null when the weights are tied (the read-out is then <see cref="wte"/>'s).</summary>
    public Linear? lm_head { get; }

    /// <summary>True when the read-out is the token embedding table (no separate <see cref="lm_head"/>).</summary>
    public bool TiedWeights => lm_head is null;

    /// <inheritdoc/>
    nn.Module ISequenceNetwork.Module => this;

    /// <summary>The figure makemore.py prints: every parameter but lm_head's.</summary>
    public long ReportedParameterCount => parameters().Sum(p => p.numel()) - (lm_head?.weight!.numel() ?? 0);

    /// <inheritdoc/>
    public Tensor Forward(Tensor ids) => call(ids);

    /// <summary>(B, T) ids → (B, T, V) logits.</summary>
    public override Tensor forward(Tensor ids)
    {
        long t = ids.shape[1];
        if (t > BlockSize)
            throw new ArgumentException($"Cannot read a sequence of {t} positions; the block size is {BlockSize}.", nameof(ids));
        using var positions = arange(t, dtype: int64, device: ids.device); // (T)
        var x = _embeddingDropout.call(wte.call(ids) + wpe.call(positions)); // (B, T, C)
        foreach (var block in h)
            x = block.call(x); // (B, T, C)
        using var normed = ln_f.call(x); // (B, T, C)
        return lm_head is null ? normed.matmul(wte.weight!.t()) : lm_head.call(normed); // (B, T, V)
    }

    /// <inheritdoc/>
    public IEnumerable<Parameter> DecayedParameters() => parameters();

    /// <inheritdoc/>
    ILanguageModel ISequenceNetwork.ToModel(CharacterVocabulary vocabulary) => ToModel(vocabulary);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _dropoutGenerator.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Copies the trained network into the plain C# <see cref="TransformerModel"/>.</summary>
    public TransformerModel ToModel(CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Size != VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Size} symbols; the network was built for {VocabularySize}.", nameof(vocabulary));
        return new TransformerModel(vocabulary, BlockSize, HeadCount, EmbeddingSize, DefaultInit.Floats(wte.weight!), DefaultInit.Floats(wpe.weight!),
            h.Select(b => b.ToWeights()).ToArray(), DefaultInit.Floats(ln_f.weight!), DefaultInit.Floats(ln_f.bias!), DefaultInit.Floats((lm_head?.weight ?? wte.weight)!));
    }
}

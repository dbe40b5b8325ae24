using Makemore.ML.Inference;
using Makemore.ML.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>
/// makemore.py's bag-of-words model (<c>BoW</c>) for training on TorchSharp: token + position embeddings, a
/// <c>BoWBlock</c> (x += the causal average of x; x += c_proj(tanh(c_fc(x)))), a read-out with bias. Initialised as
/// PyTorch's defaults, drawn from a given generator. <see cref="ToModel"/> copies it into <see cref="BagOfWordsModel"/>.
/// </summary>
public sealed class BagOfWordsNetwork : nn.Module<Tensor, Tensor>, ISequenceNetwork
{
    /// <summary>makemore.py's default width (n_embd).</summary>
    public const int DefaultEmbeddingSize = 64;

    /// <summary>makemore.py's default MLP width (n_embd2).</summary>
    public const int DefaultHiddenSize = 64;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from <paramref name="generator"/>.</summary>
    /// <param name="vocabularySize">V.</param>
    /// <param name="blockSize">T, the positions learned (makemore.py: the longest name + 1).</param>
    /// <param name="generator">Draws every initial weight.</param>
    /// <param name="embeddingSize">C (n_embd).</param>
    /// <param name="hiddenSize">The MLP's width (n_embd2).</param>
    public BagOfWordsNetwork(int vocabularySize, int blockSize, Generator generator, int embeddingSize = DefaultEmbeddingSize, int hiddenSize = DefaultHiddenSize)
        : base(nameof(BagOfWordsNetwork))
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (vocabularySize < 1 || blockSize < 1 || embeddingSize < 1 || hiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), "Vocabulary, block, embedding and hidden sizes must be ≥ 1.");
        VocabularySize = vocabularySize;
        BlockSize = blockSize;
        EmbeddingSize = embeddingSize;
        HiddenSize = hiddenSize;
        wte = nn.Embedding(vocabularySize, embeddingSize);
        wpe = nn.Embedding(blockSize, embeddingSize);
        c_fc = nn.Linear(embeddingSize, hiddenSize);
        c_proj = nn.Linear(hiddenSize, embeddingSize);
        lm_head = nn.Linear(embeddingSize, vocabularySize);
        DefaultInit.Embedding(wte, generator);
        DefaultInit.Embedding(wpe, generator);
        DefaultInit.Linear(c_fc, generator);
        DefaultInit.Linear(c_proj, generator);
        DefaultInit.Linear(lm_head, generator);
        RegisterComponents();
    }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <summary>C (n_embd).</summary>
    public int EmbeddingSize { get; }

    /// <summary>The MLP's width (n_embd2).</summary>
    public int HiddenSize { get; }

    /// <summary>Token embeddings (V, C).</summary>
    public Embedding wte { get; }

    /// <summary>Position embeddings (T, C).</summary>
    public Embedding wpe { get; }

    /// <summary>The block's MLP, first layer (n_embd2, C).</summary>
    public Linear c_fc { get; }

    /// <summary>The block's MLP, projection (C, n_embd2).</summary>
    public Linear c_proj { get; }

    /// <summary>The read-out (V, C) with bias.</summary>
    public Linear lm_head { get; }

    /// <inheritdoc/>
    nn.Module ISequenceNetwork.Module => this;

    /// <inheritdoc/>
    public Tensor Forward(Tensor ids) => call(ids);

    /// <summary>(B, T) ids → (B, T, V) logits.</summary>
    public override Tensor forward(Tensor ids)
    {
        long t = ids.shape[1];
        if (t > BlockSize)
            throw new ArgumentException($"Cannot read a sequence of {t} positions; the block size is {BlockSize}.", nameof(ids));
        using var positions = arange(t, dtype: int64, device: ids.device); // (T)
        var x = wte.call(ids) + wpe.call(positions); // (B, T, C)
        // the causal average: row t of the (T, T) matrix is 1/(t+1) on positions ≤ t (makemore.py's masked uniform softmax)
        using var average = ones(t, t, device: ids.device).tril() / arange(1, t + 1, dtype: float32, device: ids.device).unsqueeze(1);
        x = x + average.matmul(x); // (T, T) @ (B, T, C) → (B, T, C)
        x = x + c_proj.call(c_fc.call(x).tanh()); // (B, T, C)
        return lm_head.call(x); // (B, T, V)
    }

    /// <inheritdoc/>
    public IEnumerable<Parameter> DecayedParameters() => parameters();

    /// <inheritdoc/>
    ILanguageModel ISequenceNetwork.ToModel(CharacterVocabulary vocabulary) => ToModel(vocabulary);

    /// <summary>Copies the trained network into the plain C# <see cref="BagOfWordsModel"/>.</summary>
    public BagOfWordsModel ToModel(CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Size != VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Size} symbols; the network was built for {VocabularySize}.", nameof(vocabulary));
        return new BagOfWordsModel(vocabulary, BlockSize, EmbeddingSize, HiddenSize, DefaultInit.Floats(wte.weight!), DefaultInit.Floats(wpe.weight!),
            DefaultInit.Floats(c_fc.weight!), DefaultInit.Floats(c_fc.bias!), DefaultInit.Floats(c_proj.weight!), DefaultInit.Floats(c_proj.bias!),
            DefaultInit.Floats(lm_head.weight!), DefaultInit.Floats(lm_head.bias!));
    }
}

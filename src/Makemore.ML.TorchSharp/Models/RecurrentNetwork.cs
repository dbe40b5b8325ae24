using Makemore.ML.Inference;
using Makemore.ML.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>
/// A recurrent cell for training: the next state from an input embedding (B, E) and the previous state (B, S·H), with
/// S = 1 (h) or 2 (h, c for the LSTM). Each reads the concatenation [x, h], as makemore.py's cells do.
/// </summary>
public abstract class RecurrentCellModule : nn.Module<Tensor, Tensor, Tensor>
{
    private protected RecurrentCellModule(string name) : base(name)
    {
    }

    /// <summary>The gate blocks, in <see cref="RecurrentCell"/>'s documented order: each (H, E + H) weight and (H) bias.</summary>
    internal abstract IEnumerable<(Tensor Weight, Tensor Bias)> Gates();

    /// <summary>A linear map (in → out) initialised as PyTorch's <c>nn.Linear</c>: weight and bias U(−1/√in, 1/√in).</summary>
    private protected static Linear NewLinear(int inputSize, int outputSize, Generator generator)
    {
        var linear = nn.Linear(inputSize, outputSize);
        double bound = 1 / Math.Sqrt(inputSize);
        using var _ = no_grad();
        linear.weight!.copy_(rand([outputSize, inputSize], generator: generator) * (2 * bound) - bound);
        linear.bias!.copy_(rand([outputSize], generator: generator) * (2 * bound) - bound);
        return linear;
    }
}

/// <summary>makemore.py's <c>RNNCell</c> (Mikolov et al. 2010): <c>h = tanh(xh_to_h([x, h]))</c>.</summary>
public sealed class RnnCellModule : RecurrentCellModule
{
    private readonly Linear xh_to_h;

    internal RnnCellModule(int embeddingSize, int hiddenSize, Generator generator) : base(nameof(RnnCellModule))
    {
        xh_to_h = NewLinear(embeddingSize + hiddenSize, hiddenSize, generator);
        RegisterComponents();
    }

    /// <summary>(B, E), (B, H) → (B, H).</summary>
    public override Tensor forward(Tensor x, Tensor h) => xh_to_h.call(cat([x, h], 1)).tanh();

    internal override IEnumerable<(Tensor Weight, Tensor Bias)> Gates() => [(xh_to_h.weight!, xh_to_h.bias!)];
}

/// <summary>makemore.py's <c>GRUCell</c> (Cho et al. 2014): reset gate r, candidate h̄ from [x, r⊙h], update gate z.</summary>
public sealed class GruCellModule : RecurrentCellModule
{
    private readonly Linear xh_to_z, xh_to_r, xh_to_hbar;

    internal GruCellModule(int embeddingSize, int hiddenSize, Generator generator) : base(nameof(GruCellModule))
    {
        // makemore.py's order of creation: z, r, h̄.
        xh_to_z = NewLinear(embeddingSize + hiddenSize, hiddenSize, generator);
        xh_to_r = NewLinear(embeddingSize + hiddenSize, hiddenSize, generator);
        xh_to_hbar = NewLinear(embeddingSize + hiddenSize, hiddenSize, generator);
        RegisterComponents();
    }

    /// <summary>(B, E), (B, H) → (B, H).</summary>
    public override Tensor forward(Tensor x, Tensor h)
    {
        var xh = cat([x, h], 1); // (B, E + H)
        var r = xh_to_r.call(xh).sigmoid(); // (B, H) reset gate
        var hbar = xh_to_hbar.call(cat([x, r * h], 1)).tanh(); // (B, H) candidate
        var z = xh_to_z.call(xh).sigmoid(); // (B, H) update gate
        return (1 - z) * h + z * hbar; // (B, H)
    }

    internal override IEnumerable<(Tensor Weight, Tensor Bias)> Gates() =>
        [(xh_to_z.weight!, xh_to_z.bias!), (xh_to_r.weight!, xh_to_r.bias!), (xh_to_hbar.weight!, xh_to_hbar.bias!)];
}

/// <summary>
/// An LSTM cell (Hochreiter &amp; Schmidhuber 1997, with Gers et al. 2000's forget gate, as PyTorch's <c>LSTMCell</c>)
/// written like makemore.py's cells: one linear map of [x, h] to the four gates i, f, g, o.
/// </summary>
public sealed class LstmCellModule : RecurrentCellModule
{
    private readonly Linear xh_to_gates;
    private readonly int _hiddenSize;

    internal LstmCellModule(int embeddingSize, int hiddenSize, Generator generator) : base(nameof(LstmCellModule))
    {
        _hiddenSize = hiddenSize;
        xh_to_gates = NewLinear(embeddingSize + hiddenSize, 4 * hiddenSize, generator);
        RegisterComponents();
    }

    /// <summary>(B, E), (B, 2H) = [h, c] → (B, 2H) = [h, c].</summary>
    public override Tensor forward(Tensor x, Tensor state)
    {
        var h = state.narrow(1, 0, _hiddenSize); // (B, H)
        var c = state.narrow(1, _hiddenSize, _hiddenSize); // (B, H)
        var gates = xh_to_gates.call(cat([x, h], 1)).chunk(4, 1); // 4 × (B, H)
        var (i, f, g, o) = (gates[0].sigmoid(), gates[1].sigmoid(), gates[2].tanh(), gates[3].sigmoid());
        var cNext = f * c + i * g; // (B, H)
        return cat([o * cNext.tanh(), cNext], 1); // (B, 2H)
    }

    internal override IEnumerable<(Tensor Weight, Tensor Bias)> Gates() => [(xh_to_gates.weight!, xh_to_gates.bias!)];
}

/// <summary>
/// makemore.py's <c>RNN</c> module for training on TorchSharp, with any <see cref="RecurrentCell"/>: a learned start
/// state <c>start</c> (and <c>start_c</c> for the LSTM), token embeddings <c>wte</c>, the cell stepped over the inputs,
/// and a linear read-out <c>lm_head</c> of every hidden state. <see cref="ToModel"/> copies it into the plain C#
/// <see cref="RecurrentModel"/>.
/// </summary>
public sealed class RecurrentNetwork : nn.Module<Tensor, Tensor>, ISequenceNetwork
{
    private readonly Parameter start;
    private readonly Parameter? start_c;
    private readonly Embedding wte;
    private readonly RecurrentCellModule cell;
    private readonly Linear lm_head;

    /// <summary>Builds the network with PyTorch's default initialisation (embeddings N(0, 1), linear maps U(±1/√in), start state 0), drawn from <paramref name="generator"/>.</summary>
    /// <param name="cellType">The recurrence.</param>
    /// <param name="vocabularySize">V.</param>
    /// <param name="blockSize">The longest input (makemore.py's <c>block_size</c>); the recurrence itself reads any length.</param>
    /// <param name="embeddingSize">E, makemore.py's <c>n_embd</c>.</param>
    /// <param name="hiddenSize">H, makemore.py's <c>n_embd2</c>.</param>
    /// <param name="generator">Draws every initial weight.</param>
    public RecurrentNetwork(RecurrentCell cellType, int vocabularySize, int blockSize, int embeddingSize, int hiddenSize, Generator generator)
        : base(nameof(RecurrentNetwork))
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (vocabularySize < 2 || blockSize < 1 || embeddingSize < 1 || hiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), "The vocabulary needs ≥ 2 symbols; block, embedding and hidden sizes must be ≥ 1.");
        Cell = cellType;
        VocabularySize = vocabularySize;
        BlockSize = blockSize;
        EmbeddingSize = embeddingSize;
        HiddenSize = hiddenSize;
        start = nn.Parameter(zeros(1, hiddenSize)); // (1, H) the starting hidden state
        start_c = cellType == RecurrentCell.Lstm ? nn.Parameter(zeros(1, hiddenSize)) : null; // (1, H) the starting cell state
        wte = nn.Embedding(vocabularySize, embeddingSize);
        using (no_grad())
            wte.weight!.copy_(randn([vocabularySize, embeddingSize], generator: generator));
        cell = cellType switch
        {
            RecurrentCell.Rnn => new RnnCellModule(embeddingSize, hiddenSize, generator),
            RecurrentCell.Gru => new GruCellModule(embeddingSize, hiddenSize, generator),
            RecurrentCell.Lstm => new LstmCellModule(embeddingSize, hiddenSize, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(cellType), cellType, "Unknown recurrent cell."),
        };
        lm_head = nn.Linear(hiddenSize, vocabularySize);
        double bound = 1 / Math.Sqrt(hiddenSize);
        using (no_grad())
        {
            lm_head.weight!.copy_(rand([vocabularySize, hiddenSize], generator: generator) * (2 * bound) - bound);
            lm_head.bias!.copy_(rand([vocabularySize], generator: generator) * (2 * bound) - bound);
        }
        RegisterComponents();
    }

    /// <summary>The recurrence.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <summary>E.</summary>
    public int EmbeddingSize { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <inheritdoc/>
    nn.Module ISequenceNetwork.Module => this;

    /// <inheritdoc/>
    public Tensor Forward(Tensor ids) => call(ids);

    /// <summary>Logits of every position.</summary>
    /// <param name="ids">(B, T) int64, the start token 0 first.</param>
    /// <returns>(B, T, V).</returns>
    public override Tensor forward(Tensor ids)
    {
        long b = ids.shape[0], t = ids.shape[1];
        var emb = wte.call(ids); // (B, T, E)
        var state = (start_c is null ? start : cat([start, start_c], 1)).expand(b, -1); // (B, S·H)
        var hiddens = new Tensor[t];
        for (int i = 0; i < t; i++)
        {
            state = cell.call(emb.select(1, i), state); // (B, S·H)
            hiddens[i] = start_c is null ? state : state.narrow(1, 0, HiddenSize); // (B, H)
        }
        return lm_head.call(stack(hiddens, 1)); // (B, T, H) → (B, T, V)
    }

    /// <inheritdoc/>
    /// <remarks>Every parameter, as makemore.py's AdamW does.</remarks>
    public IEnumerable<Parameter> DecayedParameters() => parameters();

    /// <inheritdoc/>
    ILanguageModel ISequenceNetwork.ToModel(CharacterVocabulary vocabulary) => ToModel(vocabulary);

    /// <summary>Copies the trained network into a plain C# model.</summary>
    public RecurrentModel ToModel(CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Size != VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Size} symbols; the network was built for {VocabularySize}.", nameof(vocabulary));
        var gates = cell.Gates().ToArray();
        float[] startState = start_c is null ? Floats(start) : [.. Floats(start), .. Floats(start_c)];
        return new RecurrentModel(vocabulary, Cell, EmbeddingSize, HiddenSize, startState, Floats(wte.weight!),
            gates.SelectMany(g => Floats(g.Weight)).ToArray(), gates.SelectMany(g => Floats(g.Bias)).ToArray(),
            Floats(lm_head.weight!), Floats(lm_head.bias!));
    }

    private static float[] Floats(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}

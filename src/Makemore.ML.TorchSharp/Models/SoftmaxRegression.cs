using Makemore.ML.Inference;
using Makemore.ML.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>How the context reaches W during training; both compute the same logits (the lecture's exercise E04).</summary>
public enum InputEncoding
{
    /// <summary>The lecture's way: <c>F.one_hot(xs).float() @ W</c>.</summary>
    OneHot,
    /// <summary>Index the rows of W instead (E04): the same numbers without the one-hot matrix.</summary>
    Embedding,
}

/// <summary>
/// The lecture's neural n-gram as a TorchSharp module: logits = one-hot(context) · W, no bias. Joint contexts select one
/// of V^block rows; per-position contexts add one row per (position, character). The plain C# forward is
/// <see cref="SoftmaxRegressionModel"/>.
/// </summary>
public sealed class SoftmaxRegression : nn.Module<Tensor, Tensor>
{
    private readonly Tensor _powers; // (block): V^(block−1−i), turns a joint context into its row index
    private readonly Tensor _offsets; // (block): i·V, turns a per-position context into its rows

    /// <summary>Creates the module with W ~ N(0, 1) drawn from <paramref name="generator"/> (the lecture: <c>torch.randn((27, 27), generator=g)</c>).</summary>
    public SoftmaxRegression(int vocabularySize, int blockSize, ContextEncoding context, InputEncoding encoding, Generator? generator = null)
        : this(vocabularySize, blockSize, context, encoding,
            randn(SoftmaxRegressionModel.RowCount(vocabularySize, blockSize, context), vocabularySize, generator: generator))
    {
    }

    private SoftmaxRegression(int vocabularySize, int blockSize, ContextEncoding context, InputEncoding encoding, Tensor weights)
        : base(nameof(SoftmaxRegression))
    {
        VocabularySize = vocabularySize;
        BlockSize = blockSize;
        Context = context;
        Encoding = encoding;
        W = nn.Parameter(weights);
        _powers = tensor(Enumerable.Range(0, blockSize).Select(i => (long)Math.Pow(vocabularySize, blockSize - 1 - i)).ToArray());
        _offsets = tensor(Enumerable.Range(0, blockSize).Select(i => (long)i * vocabularySize).ToArray());
        RegisterComponents();
    }

    /// <summary>The weights (rows × V); the state-dict key is <c>W</c>.</summary>
    public global::TorchSharp.Modules.Parameter W { get; }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <summary>Number of previous characters the model conditions on.</summary>
    public int BlockSize { get; }

    /// <summary>How the context selects rows of W.</summary>
    public ContextEncoding Context { get; }

    /// <summary>One-hot matmul or row indexing.</summary>
    public InputEncoding Encoding { get; set; }

    /// <summary>Logits for a batch of contexts.</summary>
    /// <param name="contexts">(batch, block) int64 ids, oldest first.</param>
    /// <returns>(batch, V) logits.</returns>
    public override Tensor forward(Tensor contexts)
    {
        long rows = W.shape[0];
        if (Context == ContextEncoding.Joint)
        {
            var index = JointRows(contexts); // (batch)
            return Encoding == InputEncoding.OneHot
                ? nn.functional.one_hot(index, rows).to(float32).matmul(W) // (batch, rows) @ (rows, V) → (batch, V)
                : RowLogits(W, index); // (batch, V)
        }
        var positions = ContextRows(contexts); // (batch, block): row of each (position, character)
        return Encoding == InputEncoding.OneHot
            ? nn.functional.one_hot(positions, rows).to(float32).sum(1).matmul(W) // (batch, rows) @ (rows, V) → (batch, V)
            : RowLogits(W, positions); // (batch, V)
    }

    /// <summary>
    /// Logits picked by row index, the embedding encoding's forward (and the hand-written step's loss): (b) rows → W's rows
    /// (b, V); (b, k) rows → the sum of each event's k rows (b, V).
    /// </summary>
    internal static Tensor RowLogits(Tensor weights, Tensor rows) => rows.dim() == 1
        ? weights.index_select(0, rows) // (b, V)
        : weights.index_select(0, rows.flatten()).view(rows.shape[0], rows.shape[1], weights.shape[1]).sum(1); // (b, k, V) → (b, V)

    /// <summary>The row of W each joint context selects, Σ_i context_i · V^(block−1−i): (batch, block) ids → (batch).</summary>
    /// <remarks>With <see cref="InputEncoding.Embedding"/>, the joint logits are <c>W.index_select(0, rows)</c>: training computes the rows of every event once, not per step.</remarks>
    public Tensor JointRows(Tensor contexts) => (contexts * _powers).sum(1);

    /// <summary>
    /// The rows of W each context adds up with <see cref="InputEncoding.Embedding"/>: (batch, block) ids → (batch) joint
    /// rows (<see cref="JointRows"/>), or (batch, block) per-position rows, one per (position, character).
    /// </summary>
    public Tensor ContextRows(Tensor contexts) => Context == ContextEncoding.Joint ? JointRows(contexts) : contexts + _offsets;

    /// <summary>Copies the trained weights into a plain C# model that scores and samples without libtorch.</summary>
    public SoftmaxRegressionModel ToModel(CharacterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Size != VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Size} symbols; the module was built for {VocabularySize}.", nameof(vocabulary));
        using var cpu = W.detach().cpu().contiguous();
        return new SoftmaxRegressionModel(vocabulary, BlockSize, Context, cpu.data<float>().ToArray());
    }

    /// <summary>Turns a saved model back into a module, for further training (warm start).</summary>
    public static SoftmaxRegression FromModel(SoftmaxRegressionModel model, InputEncoding encoding = InputEncoding.Embedding)
    {
        ArgumentNullException.ThrowIfNull(model);
        int v = model.Vocabulary.Size;
        long rows = SoftmaxRegressionModel.RowCount(v, model.BlockSize, model.Context);
        return new SoftmaxRegression(v, model.BlockSize, model.Context, encoding, tensor(model.Weights.ToArray(), [rows, v]));
    }
}

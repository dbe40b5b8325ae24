using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Interop;

/// <summary>makemore.py's model types (its <c>--type</c>), karpathy/makemore at commit 988aa59.</summary>
public enum MakemorePyType
{
    /// <summary><c>transformer</c>: GPT-2 style; our <see cref="TransformerModel"/>, parameter for parameter.</summary>
    Transformer,

    /// <summary><c>bigram</c>: a (V, V) table of logits; our <see cref="SoftmaxRegressionModel"/> with block size 1 (W = the table).</summary>
    Bigram,

    /// <summary>
    /// <c>mlp</c>: Bengio et al. 2003 over the whole block, newest position first, with a <c>&lt;BLANK&gt;</c> token before
    /// the start token; our <see cref="MlpModel"/> with one level and <see cref="MlpModel.HasBlankPadding"/>.
    /// </summary>
    Mlp,

    /// <summary><c>rnn</c>: Elman cell over [x, h]; our <see cref="RecurrentModel"/> with <see cref="RecurrentCell.Rnn"/>.</summary>
    Rnn,

    /// <summary><c>gru</c>: its GRU cell (gates z, r, h̄); our <see cref="RecurrentModel"/> with <see cref="RecurrentCell.Gru"/>.</summary>
    Gru,

    /// <summary><c>bow</c>: causal bag of words; our <see cref="BagOfWordsModel"/>, parameter for parameter.</summary>
    Bow,
}

/// <summary>A model written for makemore.py: its type and the flags that make makemore.py build the same architecture.</summary>
/// <param name="Type">makemore.py's <c>--type</c>.</param>
/// <param name="Flags">Its model flags, e.g. <c>--type transformer --n-layer 4 --n-head 4 --n-embd 64</c> (with <c>-i WORDS</c>, which sets V and the block size).</param>
public sealed record MakemorePyExport(MakemorePyType Type, IReadOnlyList<string> Flags);

/// <summary>
/// makemore.py's checkpoints (<c>--work-dir/model.pt</c>, a PyTorch <c>state_dict</c> saved with <c>torch.save</c>),
/// both ways, with makemore.py's parameter names as they are: <see cref="Read"/> builds our inference model from one,
/// <see cref="Write"/> writes one that makemore.py loads with <c>--resume --sample-only</c> and the flags it returns.
/// The file format is read and written by TorchSharp.PyBridge.
/// </summary>
/// <remarks>
/// What a state dict does not hold comes from makemore.py's data: the vocabulary (the sorted characters of its words file,
/// index 0 the special token, as <see cref="CharacterVocabulary.Learn(IEnumerable{string}, UnknownCharacterPolicy)"/> builds it) and the block size (its longest word
/// + 1); and from its flags: the Transformer's head count. Every shape the state dict implies (V, T, layers, widths) is
/// read from it and checked against the data; a mismatch is one <see cref="InvalidDataException"/> that names the tensor,
/// its shape and the flag to fix.
/// </remarks>
public static class MakemorePyCheckpoint
{
    /// <summary>makemore.py's <c>--n-head</c> default.</summary>
    public const int DefaultHeadCount = 4;

    /// <summary>makemore.py's spelling of a type (its <c>--type</c> value).</summary>
    public static string NameOf(MakemorePyType type) => type switch
    {
        MakemorePyType.Transformer => "transformer",
        MakemorePyType.Bigram => "bigram",
        MakemorePyType.Mlp => "mlp",
        MakemorePyType.Rnn => "rnn",
        MakemorePyType.Gru => "gru",
        MakemorePyType.Bow => "bow",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown makemore.py type."),
    };

    /// <summary>The type makemore.py spells <paramref name="name"/>, or null.</summary>
    public static MakemorePyType? ParseType(string? name) =>
        Enum.GetValues<MakemorePyType>().Cast<MakemorePyType?>().FirstOrDefault(t => NameOf(t!.Value) == name);

    /// <summary>makemore.py's block size for a words file: its longest word + 1 (<c>get_output_length</c>).</summary>
    public static int BlockSizeOf(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return words.Count == 0 ? throw new ArgumentException("makemore.py needs at least one word.", nameof(words)) : words.Max(w => w.Length) + 1;
    }

    /// <summary>Reads a makemore.py checkpoint into our inference model of the same architecture.</summary>
    /// <param name="stream">The <c>model.pt</c> bytes (PyTorch's zip format).</param>
    /// <param name="type">makemore.py's <c>--type</c> the checkpoint was trained with.</param>
    /// <param name="vocabulary">The vocabulary of makemore.py's words file (<see cref="CharacterVocabulary.Learn(IEnumerable{string}, UnknownCharacterPolicy)"/> of its words).</param>
    /// <param name="blockSize">makemore.py's block size for that file (<see cref="BlockSizeOf"/>).</param>
    /// <param name="headCount">makemore.py's <c>--n-head</c> (Transformer only; the state dict cannot say it).</param>
    /// <param name="source">Names the checkpoint in errors (its path).</param>
    /// <exception cref="InvalidDataException">A tensor is missing, unexpected, or of a shape the type, data or flags do not give.</exception>
    public static ILanguageModel Read(Stream stream, MakemorePyType type, CharacterVocabulary vocabulary, int blockSize,
        int headCount = DefaultHeadCount, string source = "model.pt")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(headCount, 1);
        TorchRuntime.EnsureLoaded();
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is NotImplementedException or InvalidDataException or InvalidCastException or InvalidOperationException
                                       or IOException or Razorvine.Pickle.PickleException)
        {
            throw new InvalidDataException($"{source} is not a PyTorch state_dict saved by torch.save: {e.Message}", e);
        }
        using var state = new StateDict(table, source);
        ILanguageModel model = type switch
        {
            MakemorePyType.Transformer => ReadTransformer(state, vocabulary, blockSize, headCount),
            MakemorePyType.Bigram => ReadBigram(state, vocabulary),
            MakemorePyType.Mlp => ReadMlp(state, vocabulary, blockSize),
            MakemorePyType.Rnn => ReadRecurrent(state, vocabulary, RecurrentCell.Rnn),
            MakemorePyType.Gru => ReadRecurrent(state, vocabulary, RecurrentCell.Gru),
            MakemorePyType.Bow => ReadBagOfWords(state, vocabulary, blockSize),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown makemore.py type."),
        };
        state.CheckAllRead(NameOf(type));
        return model;
    }

    /// <summary>Writes a model as a makemore.py checkpoint (a <c>state_dict</c> that <c>torch.load</c> reads).</summary>
    /// <param name="model">
    /// A Transformer, bag of words, RNN or GRU, a one-level MLP (batch normalisation folded in), or any window model of
    /// block size 1 (softmax regression, bigram counts: written as makemore.py's logits table).
    /// </param>
    /// <param name="stream">Receives the <c>model.pt</c> bytes.</param>
    /// <param name="words">The words file makemore.py will read (<c>-i</c>): its characters must be the model's, and its
    /// block size (longest word + 1) the model's where positions are learned (Transformer, bag of words).</param>
    /// <returns>makemore.py's type and the flags that build this architecture.</returns>
    /// <exception cref="NotSupportedException">The model has no makemore.py counterpart (LSTM, WaveNet, a context longer than the block, interpolations).</exception>
    /// <exception cref="ArgumentException">The words file gives makemore.py another vocabulary or block size.</exception>
    public static MakemorePyExport Write(ILanguageModel model, Stream stream, IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        int blockSize = BlockSizeOf(words);
        var theirs = CharacterVocabulary.Learn(words);
        var ours = model.Vocabulary;
        if (ours.UnknownId >= 0 || !ours.Symbols.SequenceEqual(theirs.Symbols))
            throw new ArgumentException(
                $"makemore.py's vocabulary is the sorted characters of its words file, here \"{new string([.. theirs.Symbols.Skip(1)])}\"; the model's is "
                + $"\"{new string([.. ours.Symbols.Skip(1)])}\"{(ours.UnknownId >= 0 ? " with an unknown-character symbol" : "")}: give the words file the model was trained on with -i",
                nameof(words));
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var state = new OrderedDictionary(StringComparer.Ordinal);
        var export = model switch
        {
            TransformerModel t => WriteTransformer(t, blockSize, state),
            BagOfWordsModel b => WriteBagOfWords(b, blockSize, state),
            RecurrentModel r => WriteRecurrent(r, state),
            MlpModel m => WriteMlp(m, blockSize, state),
            WindowLanguageModel { BlockSize: 1 } w => WriteBigram(w, state),
            _ => throw new NotSupportedException($"{model} has no makemore.py counterpart: makemore.py has transformer, bigram, mlp, rnn, gru and bow models."),
        };
        PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true);
        return export;
    }

    private static TransformerModel ReadTransformer(StateDict s, CharacterVocabulary vocabulary, int blockSize, int headCount)
    {
        int v = vocabulary.Size;
        var wte = s.Read("transformer.wte.weight", 2);
        int c = (int)wte.Shape[1];
        s.Expect(wte, [v, c], VocabularyHint(vocabulary));
        var wpe = s.Read("transformer.wpe.weight", [blockSize, c], BlockSizeHint(blockSize));
        if (c % headCount != 0)
            throw s.Mismatch(wte, $"n_embd {c} is not a multiple of --n-head {headCount}: give the --n-head makemore.py was run with");
        int layers = s.CountIndexed("transformer.h.");
        if (layers == 0)
            throw new InvalidDataException($"{s.Source} has no transformer.h.0.* tensors: it is not a makemore.py transformer (check --type)");
        var blocks = new List<TransformerBlockWeights>();
        for (int i = 0; i < layers; i++)
        {
            string p = $"transformer.h.{i}.";
            s.Read(p + "attn.bias", [1, 1, blockSize, blockSize], BlockSizeHint(blockSize)); // the causal mask: a buffer, not a parameter
            blocks.Add(new TransformerBlockWeights(
                s.Read(p + "ln_1.weight", [c]).Values, s.Read(p + "ln_1.bias", [c]).Values,
                s.Read(p + "attn.c_attn.weight", [3 * c, c]).Values, s.Read(p + "attn.c_attn.bias", [3 * c]).Values,
                s.Read(p + "attn.c_proj.weight", [c, c]).Values, s.Read(p + "attn.c_proj.bias", [c]).Values,
                s.Read(p + "ln_2.weight", [c]).Values, s.Read(p + "ln_2.bias", [c]).Values,
                s.Read(p + "mlp.c_fc.weight", [4 * c, c]).Values, s.Read(p + "mlp.c_fc.bias", [4 * c]).Values,
                s.Read(p + "mlp.c_proj.weight", [c, 4 * c]).Values, s.Read(p + "mlp.c_proj.bias", [c]).Values));
        }
        var lnWeight = s.Read("transformer.ln_f.weight", [c]).Values;
        var lnBias = s.Read("transformer.ln_f.bias", [c]).Values;
        var head = s.Read("lm_head.weight", [v, c], VocabularyHint(vocabulary)).Values;
        return new TransformerModel(vocabulary, blockSize, headCount, c, wte.Values, wpe.Values, blocks, lnWeight, lnBias, head);
    }

    private static SoftmaxRegressionModel ReadBigram(StateDict s, CharacterVocabulary vocabulary)
    {
        int v = vocabulary.Size;
        var logits = s.Read("logits", [v, v], VocabularyHint(vocabulary));
        return new SoftmaxRegressionModel(vocabulary, 1, ContextEncoding.Joint, logits.Values);
    }

    private static MlpModel ReadMlp(StateDict s, CharacterVocabulary vocabulary, int blockSize)
    {
        int v = vocabulary.Size;
        var wte = s.Read("wte.weight", 2);
        int e = (int)wte.Shape[1];
        s.Expect(wte, [v + 1, e], VocabularyHint(vocabulary) + " (plus makemore.py's <BLANK> row)");
        var hiddenWeight = s.Read("mlp.0.weight", 2);
        int h = (int)hiddenWeight.Shape[0];
        s.Expect(hiddenWeight, [h, blockSize * e], BlockSizeHint(blockSize));
        var hiddenBias = s.Read("mlp.0.bias", [h]);
        var outputWeight = s.Read("mlp.2.weight", [v, h], VocabularyHint(vocabulary));
        var outputBias = s.Read("mlp.2.bias", [v]);
        // makemore.py concatenates the window newest first (its embs[k] is k positions back); our level reads it oldest
        // first, in the (in, out) layout: W'[(p·E + j)·H + o] = W[o, (T − 1 − p)·E + j].
        var weight = new float[blockSize * e * h];
        for (int p = 0; p < blockSize; p++)
            for (int j = 0; j < e; j++)
                for (int o = 0; o < h; o++)
                    weight[(p * e + j) * h + o] = hiddenWeight.Values[o * blockSize * e + (blockSize - 1 - p) * e + j];
        var layer = new MlpLayer(blockSize, e, h, weight, hiddenBias.Values, null);
        return new MlpModel(vocabulary, blockSize, e, wte.Values, [layer], Transpose(outputWeight.Values, v, h), outputBias.Values);
    }

    private static RecurrentModel ReadRecurrent(StateDict s, CharacterVocabulary vocabulary, RecurrentCell cell)
    {
        int v = vocabulary.Size;
        var wte = s.Read("wte.weight", 2);
        int e = (int)wte.Shape[1];
        s.Expect(wte, [v, e], VocabularyHint(vocabulary));
        var start = s.Read("start", 2);
        int h = (int)start.Shape[1];
        s.Expect(start, [1, h], "");
        // Our cell stacks the gate blocks in makemore.py's order of use: RNN one block; GRU z, r, h̄.
        string[] gates = cell == RecurrentCell.Rnn ? ["cell.xh_to_h"] : ["cell.xh_to_z", "cell.xh_to_r", "cell.xh_to_hbar"];
        var weight = gates.SelectMany(g => s.Read(g + ".weight", [h, e + h]).Values).ToArray();
        var bias = gates.SelectMany(g => s.Read(g + ".bias", [h]).Values).ToArray();
        var headWeight = s.Read("lm_head.weight", [v, h], VocabularyHint(vocabulary)).Values;
        var headBias = s.Read("lm_head.bias", [v]).Values;
        return new RecurrentModel(vocabulary, cell, e, h, start.Values, wte.Values, weight, bias, headWeight, headBias);
    }

    private static BagOfWordsModel ReadBagOfWords(StateDict s, CharacterVocabulary vocabulary, int blockSize)
    {
        int v = vocabulary.Size;
        var wte = s.Read("wte.weight", 2);
        int c = (int)wte.Shape[1];
        s.Expect(wte, [v, c], VocabularyHint(vocabulary));
        var wpe = s.Read("wpe.weight", [blockSize, c], BlockSizeHint(blockSize));
        s.Read("context_block.cbow.bias", [1, blockSize, blockSize], BlockSizeHint(blockSize)); // the causal mask buffer
        var fc = s.Read("context_block.mlp.c_fc.weight", 2);
        int h = (int)fc.Shape[0];
        s.Expect(fc, [h, c], "");
        return new BagOfWordsModel(vocabulary, blockSize, c, h, wte.Values, wpe.Values, fc.Values,
            s.Read("context_block.mlp.c_fc.bias", [h]).Values,
            s.Read("context_block.mlp.c_proj.weight", [c, h]).Values, s.Read("context_block.mlp.c_proj.bias", [c]).Values,
            s.Read("lm_head.weight", [v, c], VocabularyHint(vocabulary)).Values, s.Read("lm_head.bias", [v]).Values);
    }

    private static MakemorePyExport WriteTransformer(TransformerModel t, int blockSize, OrderedDictionary state)
    {
        RequireBlockSize(t.BlockSize, blockSize, "Transformer");
        int v = t.Vocabulary.Size, c = t.EmbeddingSize;
        Put(state, "transformer.wte.weight", t.TokenEmbedding.ToArray(), v, c);
        Put(state, "transformer.wpe.weight", t.PositionEmbedding.ToArray(), blockSize, c);
        for (int i = 0; i < t.LayerCount; i++)
        {
            var b = t.Blocks[i];
            string p = $"transformer.h.{i}.";
            Put(state, p + "ln_1.weight", b.LayerNorm1Weight, c);
            Put(state, p + "ln_1.bias", b.LayerNorm1Bias, c);
            Put(state, p + "attn.bias", CausalMask(blockSize), 1, 1, blockSize, blockSize);
            Put(state, p + "attn.c_attn.weight", b.AttentionWeight, 3 * c, c);
            Put(state, p + "attn.c_attn.bias", b.AttentionBias, 3 * c);
            Put(state, p + "attn.c_proj.weight", b.AttentionProjectionWeight, c, c);
            Put(state, p + "attn.c_proj.bias", b.AttentionProjectionBias, c);
            Put(state, p + "ln_2.weight", b.LayerNorm2Weight, c);
            Put(state, p + "ln_2.bias", b.LayerNorm2Bias, c);
            Put(state, p + "mlp.c_fc.weight", b.MlpWeight, 4 * c, c);
            Put(state, p + "mlp.c_fc.bias", b.MlpBias, 4 * c);
            Put(state, p + "mlp.c_proj.weight", b.MlpProjectionWeight, c, 4 * c);
            Put(state, p + "mlp.c_proj.bias", b.MlpProjectionBias, c);
        }
        Put(state, "transformer.ln_f.weight", t.FinalNormWeight.ToArray(), c);
        Put(state, "transformer.ln_f.bias", t.FinalNormBias.ToArray(), c);
        Put(state, "lm_head.weight", t.HeadWeight.ToArray(), v, c);
        return Export(MakemorePyType.Transformer, ("--n-layer", t.LayerCount), ("--n-head", t.HeadCount), ("--n-embd", c));
    }

    private static MakemorePyExport WriteBagOfWords(BagOfWordsModel b, int blockSize, OrderedDictionary state)
    {
        RequireBlockSize(b.BlockSize, blockSize, "bag-of-words model");
        int v = b.Vocabulary.Size, c = b.EmbeddingSize, h = b.HiddenSize;
        Put(state, "wte.weight", b.TokenEmbedding.ToArray(), v, c);
        Put(state, "wpe.weight", b.PositionEmbedding.ToArray(), blockSize, c);
        Put(state, "context_block.cbow.bias", CausalMask(blockSize), 1, blockSize, blockSize);
        Put(state, "context_block.mlp.c_fc.weight", b.MlpWeight.ToArray(), h, c);
        Put(state, "context_block.mlp.c_fc.bias", b.MlpBias.ToArray(), h);
        Put(state, "context_block.mlp.c_proj.weight", b.ProjectionWeight.ToArray(), c, h);
        Put(state, "context_block.mlp.c_proj.bias", b.ProjectionBias.ToArray(), c);
        Put(state, "lm_head.weight", b.HeadWeight.ToArray(), v, c);
        Put(state, "lm_head.bias", b.HeadBias.ToArray(), v);
        return Export(MakemorePyType.Bow, ("--n-embd", c), ("--n-embd2", h));
    }

    private static MakemorePyExport WriteRecurrent(RecurrentModel r, OrderedDictionary state)
    {
        var type = r.Cell switch
        {
            RecurrentCell.Rnn => MakemorePyType.Rnn,
            RecurrentCell.Gru => MakemorePyType.Gru,
            _ => throw new NotSupportedException("makemore.py has no LSTM (its RNN section says why): export an rnn or gru model, or use ONNX."),
        };
        int v = r.Vocabulary.Size, e = r.EmbeddingSize, h = r.HiddenSize;
        Put(state, "start", r.Start.ToArray(), 1, h);
        Put(state, "wte.weight", r.Embedding.ToArray(), v, e);
        string[] gates = type == MakemorePyType.Rnn ? ["cell.xh_to_h"] : ["cell.xh_to_z", "cell.xh_to_r", "cell.xh_to_hbar"];
        for (int g = 0; g < gates.Length; g++)
        {
            Put(state, gates[g] + ".weight", r.CellWeight.Slice(g * h * (e + h), h * (e + h)).ToArray(), h, e + h);
            Put(state, gates[g] + ".bias", r.CellBias.Slice(g * h, h).ToArray(), h);
        }
        Put(state, "lm_head.weight", r.OutputWeight.ToArray(), v, h);
        Put(state, "lm_head.bias", r.OutputBias.ToArray(), v);
        return Export(type, ("--n-embd", e), ("--n-embd2", h));
    }

    private static MakemorePyExport WriteMlp(MlpModel m, int blockSize, OrderedDictionary state)
    {
        if (m.Layers.Count != 1 || m.Layers[0].GroupSize != m.BlockSize)
            throw new NotSupportedException($"makemore.py's MLP has one hidden level over the whole window; this model has {m.Layers.Count} ({m.Architecture}): a WaveNet has no makemore.py counterpart (use ONNX).");
        if (m.BlockSize > blockSize || (m.HasBlankPadding && m.BlockSize != blockSize))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"makemore.py's MLP reads the whole block of {blockSize} positions (the words file's longest word + 1); this model reads {m.BlockSize}{(m.HasBlankPadding ? " with makemore.py's <BLANK>, so the two must be equal" : ", more than makemore.py can")}: give the words file the model was trained on with -i"));
        var layer = m.Layers[0];
        int v = m.Vocabulary.Size, e = m.EmbeddingSize, h = layer.OutputSize, b = m.BlockSize;
        // makemore.py's wte has a <BLANK> row (id V); a model trained here pads with the boundary 0, so <BLANK> = row 0.
        var wte = new float[(v + 1) * e];
        m.Embedding.CopyTo(wte);
        if (!m.HasBlankPadding)
            m.Embedding[..e].CopyTo(wte.AsSpan(v * e));
        // makemore.py's window is newest first over T = blockSize positions; ours is oldest first over b ≤ T. The positions
        // more than b back get zero weights (they are padding in our window, which never reaches them).
        var weight = new float[h * blockSize * e];
        for (int p = 0; p < b; p++)
            for (int j = 0; j < e; j++)
                for (int o = 0; o < h; o++)
                    weight[o * blockSize * e + (b - 1 - p) * e + j] = layer.FoldedWeight[(p * e + j) * h + o];
        Put(state, "wte.weight", wte, v + 1, e);
        Put(state, "mlp.0.weight", weight, h, blockSize * e);
        Put(state, "mlp.0.bias", layer.FoldedBias, h);
        Put(state, "mlp.2.weight", Transpose(m.OutputWeight.ToArray(), h, v), v, h);
        Put(state, "mlp.2.bias", m.OutputBias.ToArray(), v);
        return Export(MakemorePyType.Mlp, ("--n-embd", e), ("--n-embd2", h));
    }

    private static MakemorePyExport WriteBigram(WindowLanguageModel w, OrderedDictionary state)
    {
        int v = w.Vocabulary.Size;
        float[] logits;
        if (w is SoftmaxRegressionModel softmax)
            logits = softmax.Weights.ToArray(); // one row per previous id either way (joint or per position, at block 1)
        else
        {
            // any other window model of one previous symbol (bigram counts): logits = ln p, so softmax gives p back
            logits = new float[v * v];
            var p = new double[v];
            for (int previous = 0; previous < v; previous++)
            {
                w.GetNextProbabilities([previous], p);
                for (int next = 0; next < v; next++)
                    logits[previous * v + next] = (float)Math.Log(p[next]);
            }
        }
        Put(state, "logits", logits, v, v);
        return Export(MakemorePyType.Bigram);
    }

    private static void RequireBlockSize(int ours, int theirs, string what)
    {
        if (ours != theirs)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"this {what} learned {ours} positions and makemore.py's block size for the words file is {theirs} (its longest word + 1): give the words file the model was trained on with -i"));
    }

    private static MakemorePyExport Export(MakemorePyType type, params (string Flag, int Value)[] flags) =>
        new(type, ["--type", NameOf(type), .. flags.SelectMany(f => new[] { f.Flag, f.Value.ToString(CultureInfo.InvariantCulture) })]);

    private static float[] CausalMask(int t)
    {
        var mask = new float[t * t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= i; j++)
                mask[i * t + j] = 1f;
        return mask;
    }

    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var transposed = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                transposed[c * rows + r] = matrix[r * columns + c];
        return transposed;
    }

    // A tensor of the state dict (created in the caller's dispose scope, written, then disposed with it).
    private static void Put(OrderedDictionary state, string name, float[] values, params long[] shape) =>
        state.Add(name, tensor(values, shape, ScalarType.Float32));

    private static string VocabularyHint(CharacterVocabulary vocabulary) => string.Create(CultureInfo.InvariantCulture,
        $"the words file (-i) has {vocabulary.Size - 1} characters, so V = {vocabulary.Size}: give the words file makemore.py was trained on");

    private static string BlockSizeHint(int blockSize) => string.Create(CultureInfo.InvariantCulture,
        $"the words file (-i) gives makemore.py a block size of {blockSize} (its longest word + 1): give the words file makemore.py was trained on");

    /// <summary>One tensor of the state dict, as float32 values in row-major order.</summary>
    private sealed record Entry(string Name, long[] Shape, float[] Values);

    /// <summary>The state dict being read: each tensor is taken once; what is left at the end is an error (as <c>load_state_dict</c>'s strict mode).</summary>
    private sealed class StateDict : IDisposable
    {
        private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public StateDict(Hashtable table, string source)
        {
            Source = source;
            foreach (DictionaryEntry entry in table)
                if (entry.Key is string name && entry.Value is Tensor t)
                    _tensors[name] = t;
        }

        public string Source { get; }

        public Entry Read(string name, int dimensions)
        {
            if (!_tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"{Source} has no tensor {name}: it is not a makemore.py checkpoint of this --type (its tensors: {string.Join(", ", _tensors.Keys.Order(StringComparer.Ordinal).Take(8))}{(_tensors.Count > 8 ? ", …" : "")})");
            _read.Add(name);
            if (t.dim() != dimensions)
                throw new InvalidDataException($"{Source}: {name} is {Describe(t.shape)}, not a {dimensions}-dimensional tensor");
            using var values = t.to_type(ScalarType.Float32).contiguous();
            return new Entry(name, t.shape, values.data<float>().ToArray());
        }

        public Entry Read(string name, long[] shape, string hint = "")
        {
            var entry = Read(name, shape.Length);
            Expect(entry, shape, hint);
            return entry;
        }

        public void Expect(Entry entry, long[] shape, string hint)
        {
            if (!entry.Shape.SequenceEqual(shape))
                throw Mismatch(entry, $"expected {Describe(shape)}{(hint.Length == 0 ? "" : "; " + hint)}");
        }

        public InvalidDataException Mismatch(Entry entry, string why) =>
            new($"{Source}: {entry.Name} is {Describe(entry.Shape)}: {why}");

        // Blocks named PREFIX0., PREFIX1., …: how many, counted from 0 without gaps.
        public int CountIndexed(string prefix)
        {
            int n = 0;
            while (_tensors.Keys.Any(k => k.StartsWith(prefix + n.ToString(CultureInfo.InvariantCulture) + ".", StringComparison.Ordinal)))
                n++;
            return n;
        }

        public void CheckAllRead(string type)
        {
            var left = _tensors.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (left.Count > 0)
                throw new InvalidDataException($"{Source} has tensors a makemore.py {type} does not: {string.Join(", ", left.Take(8))}{(left.Count > 8 ? ", …" : "")} (check --type)");
        }

        private static string Describe(long[] shape) => "[" + string.Join(", ", shape) + "]";

        public void Dispose()
        {
            foreach (var t in _tensors.Values)
                t.Dispose();
        }
    }
}

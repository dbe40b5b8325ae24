using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// makemore.py's sequence models (<see cref="SequenceModelKind"/>, built by <see cref="SequenceNetworks"/>), trained on whole
/// items as its <c>CharDataset</c> gives them (<see cref="SequenceExamples"/>) by the one training loop, and scored by each
/// network's plain C# model. Each instance holds makemore.py's setting.
/// </summary>
public sealed class SequenceKind : ModelKind<SequenceModelEstimator.Options>
{
    /// <summary>makemore.py's RNN.</summary>
    public static SequenceKind Rnn { get; } = new(SequenceModelKind.Rnn, "rnn",
        "makemore.py's --type rnn: an Elman RNN (Mikolov et al. 2010) over character embeddings (64 wide, hidden state 64), " +
        "trained on whole names with AdamW at 5e-4 for 10,000 steps of 32, evaluating on dev every 500.");

    /// <summary>makemore.py's GRU.</summary>
    public static SequenceKind Gru { get; } = new(SequenceModelKind.Gru, "gru",
        "makemore.py's --type gru: a GRU (Cho et al. 2014), its cell gated as makemore.py writes it; the RNN's sizes and training.");

    /// <summary>An LSTM.</summary>
    public static SequenceKind Lstm { get; } = new(SequenceModelKind.Lstm, "lstm",
        "An LSTM (Hochreiter & Schmidhuber 1997), which makemore.py's README promises; the RNN's sizes and training.");

    /// <summary>makemore.py's bag of words.</summary>
    public static SequenceKind BagOfWords { get; } = new(SequenceModelKind.BagOfWords, "bow",
        "makemore.py's --type bow: each position averages the embeddings of the characters before it (causally), then an MLP " +
        "of width --n-embd2 predicts the next one.");

    /// <summary>makemore.py's Transformer.</summary>
    public static SequenceKind Transformer { get; } = new(SequenceModelKind.Transformer, "transformer",
        "makemore.py's --type transformer: a GPT-2 style decoder (Radford et al. 2019; Vaswani et al. 2017) of 4 blocks, 4 heads, " +
        "64 wide, block size = the longest name + 1; AdamW at 5e-4. Optional dropout and weight tying.");

    private readonly SequenceModelKind _kind;

    private SequenceKind(SequenceModelKind kind, string name, string description)
    {
        _kind = kind;
        Name = name;
        Description = description;
        var settings = new List<KindSetting>
        {
            KindSetting.Whole<SequenceModelEstimator.Options>("--n-embd", "width of a character embedding", o => o.EmbeddingSize, (o, v) => o.EmbeddingSize = v, 1, 4096),
        };
        if (kind != SequenceModelKind.Transformer)
            settings.Add(KindSetting.Whole<SequenceModelEstimator.Options>("--n-embd2", kind == SequenceModelKind.BagOfWords ? "width of the MLP after the average" : "width of the hidden state",
                o => o.HiddenSize, (o, v) => o.HiddenSize = v, 1, 4096));
        if (kind == SequenceModelKind.Transformer)
        {
            settings.Add(KindSetting.Whole<SequenceModelEstimator.Options>("--n-layer", "blocks", o => o.LayerCount, (o, v) => o.LayerCount = v, 1, 64));
            settings.Add(KindSetting.Whole<SequenceModelEstimator.Options>("--n-head", "attention heads; must divide --n-embd", o => o.HeadCount, (o, v) => o.HeadCount = v, 1, 64));
            settings.Add(KindSetting.Number<SequenceModelEstimator.Options>("--dropout", "dropout while training, on the embeddings and each residual branch, below 1", SettingValue.NonNegative,
                o => o.Dropout, (o, v) => o.Dropout = v < 1 ? v : throw new FormatException($"--dropout must be below 1 (got {v}): it is the chance that a unit is zeroed")));
            settings.Add(KindSetting.Switch<SequenceModelEstimator.Options>("--tie-weights", "read out through the token embeddings instead of a separate lm_head (GPT-2's weight tying)",
                o => o.TieWeights, (o, v) => o.TieWeights = v));
        }
        settings.Add(KindSetting.Whole<SequenceModelEstimator.Options>("--threads", "libtorch threads", o => o.Threads, (o, v) => o.Threads = v, 1, 256));
        Settings = settings;
    }

    /// <summary>The kind of a <see cref="SequenceModelKind"/>.</summary>
    public static SequenceKind For(SequenceModelKind kind) => kind switch
    {
        SequenceModelKind.Rnn => Rnn,
        SequenceModelKind.Gru => Gru,
        SequenceModelKind.Lstm => Lstm,
        SequenceModelKind.BagOfWords => BagOfWords,
        SequenceModelKind.Transformer => Transformer,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown sequence model kind."),
    };

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<KindSetting> Settings { get; }

    /// <inheritdoc/>
    public override SequenceModelEstimator.Options NewOptions() => new() { Kind = _kind };

    /// <inheritdoc/>
    public override bool Made(ILanguageModel model) => _kind switch
    {
        SequenceModelKind.Transformer => model is TransformerModel,
        SequenceModelKind.BagOfWords => model is BagOfWordsModel,
        _ => model is RecurrentModel recurrent && recurrent.Cell.ToString() == _kind.ToString(),
    };

    /// <inheritdoc/>
    protected override void FitToData(SequenceModelEstimator.Options options, int longestName) => options.BlockSize ??= longestName + 1;

    /// <inheritdoc/>
    protected override int? LongestName(SequenceModelEstimator.Options options) => (options.BlockSize ?? SequenceModelEstimator.Options.MaxBlockSize) - 1;

    /// <inheritdoc/>
    protected override TrainedModel<ILanguageModel> Train(SequenceModelEstimator.Options options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("There is nothing to train on.", nameof(sequences));
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(options.Threads);
        int block = options.BlockSize ?? SequenceExamples.DefaultBlockSize(dev is null ? sequences : [.. sequences, .. dev]);

        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)options.Training.Seed);
        var network = SequenceNetworks.Create(options, vocabulary.Size, block, generator);
        var module = network.Module;
        // Distillation: each training row carries its item number in one more input column, which picks its soft targets.
        float[]? targets = options.Teacher is { } teacher ? TeacherTargets(teacher, options.TeacherWeight, vocabulary, sequences, block) : null;
        var soft = targets is null ? null : tensor(targets, [sequences.Count, block, vocabulary.Size]); // (n, T, V)
        var train = new ExampleSet(SequenceExamples.Build(sequences, block), withRowNumbers: soft is not null); // batches (b, w) or (b, w + 1), (b, w)
        var devSet = dev is { Count: > 0 } ? new ExampleSet(SequenceExamples.Build(dev, block)) : null;
        var trainable = new TrainableModel(module, (x, y, w) =>
        {
            // Positions after the batch's longest item predict nothing; a causal model's loss is the same without them.
            // (Predicted positions are a prefix of each row, so the longest row's count is the length to keep; a batch
            // built from SequenceExamples is already cut to it.)
            long t = y.ge(0).sum(1).max().item<long>();
            var logits = network.Forward(x.narrow(1, 0, t)); // (b, t, V)
            var nll = Loss.SequenceNll(logits, y.narrow(1, 0, t), w);
            if (soft is null || x.shape[1] == y.shape[1])
                return LossTerms.Of(nll); // dev rows (no row column) are always scored against the characters seen
            var q = soft.index_select(0, x.select(1, x.shape[1] - 1)).narrow(1, 0, t); // (b, t, V); all zero where nothing is predicted
            var crossEntropy = -(q * nn.functional.log_softmax(logits, -1)).sum() / q.sum(); // each predicted position's q sums to 1
            return new LossTerms(crossEntropy, nll);
        }, network.DecayedParameters())
        {
            VocabularySize = vocabulary.Size,
            // What else steers the run: the dropout rate and the soft targets themselves (teacher and weight), so that a
            // checkpoint resumes only under the same ones. Each part only when set, so older checkpoints without it resume.
            TrajectoryKey = string.Join(";", new[]
            {
                options.Dropout > 0 ? "dropout=" + options.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "",
                targets is null ? "" : "teacher=" + Convert.ToHexStringLower(
                    System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(targets.AsSpan()))),
            }.Where(part => part.Length > 0)),
        };
        TrainingResult result;
        try
        {
            result = TrainingLoop.Run(trainable, train, options.Training, devSet);
        }
        finally
        {
            module.eval();
        }
        return new(network.ToModel(vocabulary), result);
    }

    /// <summary>
    /// The soft targets of distillation, (n, T, V) float32 row-major: at each predicted position, <c>weight · p_teacher + (1 − weight) ·
    /// onehot(character seen)</c>, where p_teacher is the teacher's next-symbol distribution after the item's prefix;
    /// zero where nothing is predicted.
    /// </summary>
    private static float[] TeacherTargets(ILanguageModel teacher, double weight, CharacterVocabulary vocabulary, IReadOnlyList<int[]> items, int block)
    {
        if (!teacher.Vocabulary.Equals(vocabulary))
            throw new ArgumentException($"The teacher's vocabulary ({teacher.Vocabulary.Size} symbols) is not the training data's ({vocabulary.Size}): "
                + "train the teacher on the same input file.", nameof(SequenceModelEstimator.Options.Teacher));
        int v = vocabulary.Size;
        var q = new float[(long)items.Count * block * v];
        var p = new double[v];
        for (int row = 0; row < items.Count; row++)
        {
            int[] item = items[row];
            var decoder = teacher.StartDecoding();
            for (int i = 0; i <= item.Length; i++)
            {
                decoder.NextProbabilities(p);
                int seen = i < item.Length ? item[i] : 0;
                var target = q.AsSpan((int)(((long)row * block + i) * v), v);
                for (int c = 0; c < v; c++)
                    target[c] = (float)(weight * p[c] + (c == seen ? 1 - weight : 0));
                if (i < item.Length)
                    decoder.Append(item[i]);
            }
        }
        return q;
    }
}

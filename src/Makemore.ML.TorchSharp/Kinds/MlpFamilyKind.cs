using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// The lectures' MLP family (<see cref="MlpNetwork"/>): Bengio et al. 2003's MLP (part 2), the same with batch norm
/// (Ioffe &amp; Szegedy 2015; part 3) and the WaveNet-style tree of fused pairs (van den Oord et al. 2016; part 5), trained by the
/// one training loop and scored by the plain C# <see cref="MlpModel"/>. Each instance holds its lecture setting.
/// </summary>
public sealed class MlpFamilyKind : ModelKind<MlpEstimator.Options>
{
    /// <summary>Bengio's MLP.</summary>
    public static MlpFamilyKind Mlp { get; } = new(MlpKind.Mlp, "mlp",
        "Bengio et al. 2003, lecture part 2: the previous characters' embeddings (block 3, 10 wide) concatenated, one tanh hidden " +
        "layer of 200, softmax; 200,000 SGD steps of 32 at lr 0.1, then 0.01 after step 100,000.");

    /// <summary>The BatchNorm MLP.</summary>
    public static MlpFamilyKind BatchNormMlp { get; } = new(MlpKind.BatchNormMlp, "bn-mlp",
        "Lecture part 3: the MLP with batch normalisation before the tanh (Ioffe & Szegedy 2015) and Kaiming-scaled initialisation; " +
        "the same sizes and schedule as mlp. Batch norm's running statistics make the saved model score one name at a time.");

    /// <summary>The WaveNet-style MLP.</summary>
    public static MlpFamilyKind WaveNet { get; } = new(MlpKind.WaveNet, "wavenet",
        "Lecture part 5: a WaveNet-like tree (van den Oord et al. 2016) that fuses pairs of neighbouring positions level by level " +
        "(block 8: three levels of 128, embeddings 24 wide, batch norm); 200,000 SGD steps, lr 0.1 then 0.01 after step 150,000.");

    private readonly MlpKind _kind;

    private MlpFamilyKind(MlpKind kind, string name, string description)
    {
        _kind = kind;
        Name = name;
        Description = description;
    }

    /// <summary>The kind of an <see cref="MlpKind"/>.</summary>
    public static MlpFamilyKind For(MlpKind kind) => kind switch
    {
        MlpKind.Mlp => Mlp,
        MlpKind.BatchNormMlp => BatchNormMlp,
        MlpKind.WaveNet => WaveNet,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown MLP kind."),
    };

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<KindSetting> Settings => _kind == MlpKind.WaveNet ? WaveNetSettings : MlpSettings;

    private static readonly KindSetting BlockSize = KindSetting.Whole<MlpEstimator.Options>("--block-size", "previous characters seen (wavenet: a power of 2)", o => o.BlockSize, (o, v) => o.BlockSize = v, 1, 64);
    private static readonly KindSetting EmbeddingSize = KindSetting.Whole<MlpEstimator.Options>("--n-embd", "width of a character embedding", o => o.EmbeddingSize, (o, v) => o.EmbeddingSize = v, 1, 4096);
    private static readonly KindSetting HiddenSize = KindSetting.Whole<MlpEstimator.Options>("--n-hidden", "units per hidden layer", o => o.HiddenSize, (o, v) => o.HiddenSize = v, 1, 65536);
    private static readonly KindSetting Threads = KindSetting.Whole<MlpEstimator.Options>("--threads", "libtorch threads", o => o.Threads, (o, v) => o.Threads = v, 1, 256);
    private static readonly KindSetting[] MlpSettings =
    [
        BlockSize, EmbeddingSize, HiddenSize,
        KindSetting.Whole<MlpEstimator.Options>("--n-layer", "hidden layers (more is part 3's deeper network)", o => o.HiddenLayers ?? 1, (o, v) => o.HiddenLayers = v, 1, 64),
        Threads,
    ];
    private static readonly KindSetting[] WaveNetSettings =
    [
        BlockSize, EmbeddingSize, HiddenSize,
        KindSetting.Whole<MlpEstimator.Options>("--n-layer", "levels: log2 of the block (it can only be that)", o => o.HiddenLayers, (o, v) => o.HiddenLayers = v, 1, 64),
        Threads,
    ];

    /// <inheritdoc/>
    public override MlpEstimator.Options NewOptions() => MlpEstimator.Options.ForLecture(_kind);

    /// <inheritdoc/>
    public override bool Made(ILanguageModel model) => model is MlpModel mlp && KindOf(mlp) == _kind;

    // A saved MLP does not name its kind; its first layer shows it: the WaveNet fuses pairs, the others the whole window.
    private static MlpKind KindOf(MlpModel model) =>
        model.Layers[0].GroupSize < model.BlockSize ? MlpKind.WaveNet
        : model.Layers[0].BatchNorm is null ? MlpKind.Mlp
        : MlpKind.BatchNormMlp;

    /// <inheritdoc/>
    protected override TrainedModel<ILanguageModel> Train(MlpEstimator.Options options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(options.Threads);
        int block = options.BlockSize;
        var examples = TrainingExamples.Build(sequences, block);
        if (examples.Count == 0)
            throw new ArgumentException("There is nothing to train on.", nameof(sequences));

        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)options.Training.Seed);
        var network = options.InitialModel is { } start
            ? MlpNetwork.FromModel(Check(options, start, vocabulary), options.Kind)
            : new MlpNetwork(options.Kind, vocabulary.Size, block, options.EmbeddingSize, options.HiddenSize, generator, options.HiddenLayers);
        var train = Examples(examples, block);
        var devSet = dev is { Count: > 0 } ? Examples(TrainingExamples.Build(dev, block).Deduplicate(), block) : null;
        using var step = MlpSgdStep.For(network);
        var trainable = new TrainableModel(network, (x, y, w) => LossTerms.Of(Loss.Nll(network.call(x), y, w)), network.DecayedParameters(), step is null ? null : step.Step)
        {
            VocabularySize = vocabulary.Size,
        };
        var result = TrainingLoop.Run(trainable, train, options.Training, devSet);
        network.eval();
        return new(network.ToModel(vocabulary), result);
    }

    // (n, block) int64 contexts, (n) targets, (n) float32 counts.
    private static ExampleSet Examples(TrainingExamples examples, int block) =>
        new(tensor(examples.Contexts, [examples.Count, block]), tensor(examples.Targets), tensor(examples.Weights));

    private static MlpModel Check(MlpEstimator.Options options, MlpModel start, CharacterVocabulary vocabulary) =>
        start.Vocabulary.Equals(vocabulary) && start.BlockSize == options.BlockSize && start.EmbeddingSize == options.EmbeddingSize
            && start.Layers[0].OutputSize == options.HiddenSize
            ? start
            : throw new ArgumentException("The initial model's vocabulary, block size, embedding or hidden size differ from the options and the data.", nameof(vocabulary));
}

using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// The lecture's neural n-gram (<see cref="SoftmaxRegression"/>): a context's one-hot encoding (or its row of W) → logits →
/// softmax, trained by gradient descent with L2 as smoothing; scored by the plain C# <see cref="SoftmaxRegressionModel"/>.
/// </summary>
public sealed class SoftmaxKind : ModelKind<SoftmaxRegressionEstimator.Options>
{
    /// <summary>The one instance, listed by <see cref="ModelKinds"/>.</summary>
    public static SoftmaxKind Instance { get; } = new();

    private SoftmaxKind()
    {
    }

    /// <inheritdoc/>
    public override string Name => "softmax";

    /// <inheritdoc/>
    public override string Description =>
        "The lecture's neural n-gram (part 1, second half): the previous characters one-hot encoded (or, as exercise E04, " +
        "their row of W picked by index), one linear layer, softmax; gradient descent on the NLL plus L2 · mean(W²), the " +
        "neural counterpart of the count model's smoothing. With --block-size 1 it learns the bigram table's numbers.";

    /// <inheritdoc/>
    public override IReadOnlyList<KindSetting> Settings { get; } =
    [
        KindSetting.Whole<SoftmaxRegressionEstimator.Options>("--block-size", "previous characters seen (1 = bigram, 2 = trigram)", o => o.BlockSize, (o, v) => o.BlockSize = v, 1, 64),
        KindSetting.Text<SoftmaxRegressionEstimator.Options>("--context", "joint (one row of W per whole context, V^block rows) or per-position",
            o => o.Context == ContextEncoding.Joint ? "joint" : "per-position",
            (o, v) => o.Context = v switch { "joint" => ContextEncoding.Joint, "per-position" => ContextEncoding.PerPosition, _ => throw new FormatException($"unknown --context '{v}': use joint or per-position") }),
        KindSetting.Text<SoftmaxRegressionEstimator.Options>("--encoding", "one-hot (the lecture's matmul) or embedding (row lookup, E04; the same numbers, faster)",
            o => o.Encoding == InputEncoding.OneHot ? "one-hot" : "embedding",
            (o, v) => o.Encoding = v switch { "one-hot" => InputEncoding.OneHot, "embedding" => InputEncoding.Embedding, _ => throw new FormatException($"unknown --encoding '{v}': use one-hot or embedding") }),
        KindSetting.Number<SoftmaxRegressionEstimator.Options>("--l2", "strength of L2 · mean(W²)", SettingValue.NonNegative, o => o.L2, (o, v) => o.L2 = v),
        KindSetting.Whole<SoftmaxRegressionEstimator.Options>("--threads", "libtorch threads", o => o.Threads, (o, v) => o.Threads = v, 1, 256),
    ];

    /// <inheritdoc/>
    public override SoftmaxRegressionEstimator.Options NewOptions() => new();

    /// <inheritdoc/>
    public override bool Made(ILanguageModel model) => model is SoftmaxRegressionModel;

    /// <inheritdoc/>
    /// <remarks>The L2 strength on W: one model trained per strength, the other options as given.</remarks>
    public override SmoothingSweep Smoothing => new("L2", [0, 0.001, 0.01, 0.1, 1], (options, vocabulary, train, grid, progress) =>
    {
        var given = (SoftmaxRegressionEstimator.Options)options;
        return grid.Select(l2 =>
        {
            progress?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"training with L2 {l2} ..."));
            var one = new SoftmaxRegressionEstimator.Options
            {
                BlockSize = given.BlockSize,
                Context = given.Context,
                Encoding = given.Encoding,
                Threads = given.Threads,
                L2 = l2,
                Training = { LearningRate = given.Training.LearningRate, Steps = given.Training.Steps, BatchSize = given.Training.BatchSize, Seed = given.Training.Seed },
            };
            return (l2, Train(one, vocabulary, train, null).Model);
        }).ToList();
    });

    /// <inheritdoc/>
    /// <remarks>The lecture's neural n-gram trains to its last step and is reported there; it keeps no best model on dev.</remarks>
    public override bool UsesDev => false;

    /// <inheritdoc/>
    protected override TrainedModel<ILanguageModel> Train(SoftmaxRegressionEstimator.Options options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(options.Threads);
        if (options.InitialModel is { } initial &&
            (!initial.Vocabulary.Equals(vocabulary) || initial.BlockSize != options.BlockSize || initial.Context != options.Context))
            throw new ArgumentException("The initial model's vocabulary, block size or context encoding differ from the options and the data.", nameof(sequences));

        var examples = TrainingExamples.Build(sequences, options.BlockSize);
        if (examples.Count == 0)
            throw new ArgumentException("There is nothing to train on.", nameof(sequences));
        bool fullBatch = options.Training.BatchSize is null || options.Training.BatchSize >= examples.Count;
        bool deduplicated = fullBatch && options.DeduplicateFullBatch;
        if (deduplicated)
            examples = examples.Deduplicate();

        using var generator = new Generator((ulong)options.Training.Seed);
        using var module = options.InitialModel is { } start
            ? SoftmaxRegression.FromModel(start, options.Encoding)
            : new SoftmaxRegression(vocabulary.Size, options.BlockSize, options.Context, options.Encoding, generator);
        using var contexts = tensor(examples.Contexts, [examples.Count, options.BlockSize]); // (n, block)
        using var targets = tensor(examples.Targets); // (n)
        // Counts only where events were merged: every other event weighs 1, and a plain mean is the lecture's loss in
        // fewer ops per step (no weight rows to gather, multiply and sum).
        using var weights = deduplicated ? tensor(examples.Weights) : null; // (n)

        // Indexed joint contexts (E04): each event's row of W is computed once here, so a step gathers rows and nothing more.
        bool rowsOnce = options.Context == ContextEncoding.Joint && options.Encoding == InputEncoding.Embedding;
        using var rows = rowsOnce ? module.JointRows(contexts) : null; // (n)
        // Indexed rows (E04) step by hand under plain SGD (TrainableModel.IndexedSoftmaxWithL2): no autograd graph.
        var trainable = options.Encoding == InputEncoding.Embedding
            ? TrainableModel.IndexedSoftmaxWithL2(module, module.W, rowsOnce ? r => r : module.ContextRows, options.L2) // rows → (b, V)
            : TrainableModel.NllWithL2(module, module.W, options.L2);
        // A batch at least as large as the examples is the full batch (TrainingOptions.BatchSize): the loop draws none.
        var result = TrainingLoop.Run(trainable, new ExampleSet(rows ?? contexts, targets, weights), options.Training);
        return new(module.ToModel(vocabulary), result);
    }
}

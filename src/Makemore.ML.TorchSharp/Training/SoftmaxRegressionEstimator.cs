using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Trains the lecture's neural n-gram (<see cref="SoftmaxRegression"/>) with gradient descent on TorchSharp and returns
/// a transformer that scores with the plain C# forward pass: the saved model needs no libtorch.
/// </summary>
public sealed class SoftmaxRegressionEstimator : IEstimator<LanguageModelTransformer<SoftmaxRegressionModel>>
{
    private readonly SoftmaxRegressionOptions _options;
    private readonly Catalogs _catalogs;

    /// <summary>The defaults of <see cref="SoftmaxRegressionOptions"/> and the catalog: the lecture's neural bigram.</summary>
    public static class Defaults
    {
        /// <summary>Previous characters seen: 1, the bigram.</summary>
        public const int BlockSize = 1;

        /// <summary>Strength of the L2 term: 0.01 (the lecture).</summary>
        public const double L2 = 0.01;

        /// <summary>Gradient-descent step size: 50 (the lecture).</summary>
        public const double LearningRate = 50;

        /// <summary>Gradient steps: 300, where the lecture's bigram samples have settled (figures: ≥ 262 steps). The CLI's default too.</summary>
        public const int Steps = 300;

        /// <summary>libtorch CPU threads: 1 (docs/architecture.md, "libtorch threads": more threads are much slower on small models).</summary>
        public const int Threads = TorchRuntime.DefaultThreadCount;

        /// <summary>Seed of W and of the mini-batches: 2147483647 (the lecture's generator).</summary>
        public const long Seed = 2147483647;

        /// <summary>Joint contexts: one row of W per whole context.</summary>
        public const ContextEncoding Context = ContextEncoding.Joint;

        /// <summary>Row indexing (E04): the one-hot matmul's numbers, faster.</summary>
        public const InputEncoding Encoding = InputEncoding.Embedding;
    }

    /// <summary>Creates the estimator in <paramref name="mlContext"/> (its log, seed and cancellation reach the transforms it builds); prefer <c>mlContext.Makemore().Trainers.SoftmaxRegression</c>.</summary>
    public SoftmaxRegressionEstimator(MLContext mlContext, SoftmaxRegressionOptions options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal SoftmaxRegressionEstimator(Catalogs catalogs, SoftmaxRegressionOptions options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    /// <returns>The transformer; its <see cref="LanguageModelTransformer.Training"/> has the loss after every step.</returns>
    public LanguageModelTransformer<SoftmaxRegressionModel> Fit(IDataView input) =>
        TrainingData.Fit(_catalogs, _options.IdsColumnName, input, dev: null, (vocabulary, sequences, _) => Train(vocabulary, sequences));

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(_catalogs, inputSchema, _options.IdsColumnName);

    /// <summary>Trains on id sequences directly (no ML.NET data view): the model, and the loss after every step.</summary>
    public TrainedModel<SoftmaxRegressionModel> Train(CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(_options.Threads);
        if (_options.InitialModel is { } initial &&
            (!initial.Vocabulary.Equals(vocabulary) || initial.BlockSize != _options.BlockSize || initial.Context != _options.Context))
            throw new ArgumentException("The initial model's vocabulary, block size or context encoding differ from the options and the data.", nameof(sequences));

        var examples = TrainingExamples.Build(sequences, _options.BlockSize);
        if (examples.Count == 0)
            throw new ArgumentException("There is nothing to train on.", nameof(sequences));
        bool fullBatch = _options.BatchSize is null || _options.BatchSize >= examples.Count;
        bool deduplicated = fullBatch && _options.DeduplicateFullBatch;
        if (deduplicated)
            examples = examples.Deduplicate();

        using var generator = new Generator((ulong)_options.Seed);
        using var module = _options.InitialModel is { } start
            ? SoftmaxRegression.FromModel(start, _options.Encoding)
            : new SoftmaxRegression(vocabulary.Size, _options.BlockSize, _options.Context, _options.Encoding, generator);
        using var contexts = tensor(examples.Contexts, [examples.Count, _options.BlockSize]); // (n, block)
        using var targets = tensor(examples.Targets); // (n)
        // Counts only where events were merged: every other event weighs 1, and a plain mean is the lecture's loss in
        // fewer ops per step (no weight rows to gather, multiply and sum).
        using var weights = deduplicated ? tensor(examples.Weights) : null; // (n)

        // Indexed joint contexts (E04): each event's row of W is computed once here, so a step gathers rows and nothing more.
        bool rowsOnce = _options.Context == ContextEncoding.Joint && _options.Encoding == InputEncoding.Embedding;
        using var rows = rowsOnce ? module.JointRows(contexts) : null; // (n)
        // Indexed rows (E04) step by hand under plain SGD (TrainableModel.IndexedSoftmaxWithL2): no autograd graph.
        var trainable = _options.Encoding == InputEncoding.Embedding
            ? TrainableModel.IndexedSoftmaxWithL2(module, module.W, rowsOnce ? r => r : module.ContextRows, _options.L2) // rows → (b, V)
            : TrainableModel.NllWithL2(module, module.W, _options.L2);
        var result = TrainingLoop.Run(trainable, new ExampleSet(rows ?? contexts, targets, weights), new TrainingOptions
        {
            Steps = _options.Steps,
            BatchSize = fullBatch ? null : _options.BatchSize,
            LearningRate = _options.LearningRate,
            Optimizer = new SgdOptions(),
            Schedule = new ConstantSchedule(),
            Seed = _options.Seed,
            Progress = _options.Progress,
            CancellationToken = _options.CancellationToken,
        });
        return new(module.ToModel(vocabulary), result);
    }
}

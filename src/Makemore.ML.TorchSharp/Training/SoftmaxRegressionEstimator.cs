using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Trains the lecture's neural n-gram (<see cref="SoftmaxRegression"/>) with gradient descent on TorchSharp and returns
/// a transformer that scores with the plain C# forward pass: the saved model needs no libtorch.
/// </summary>
public sealed class SoftmaxRegressionEstimator : IEstimator<LanguageModelTransformer>
{
    private readonly SoftmaxRegressionOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.Makemore().Trainers.SoftmaxRegression(...)</c>.</summary>
    public SoftmaxRegressionEstimator(SoftmaxRegressionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Loss after every step of the last <see cref="Fit"/>.</summary>
    public IReadOnlyList<TrainingProgress> History { get; private set; } = [];

    /// <inheritdoc/>
    public LanguageModelTransformer Fit(IDataView input)
    {
        var (vocabulary, sequences) = TrainingData.Read(input, _options.IdsColumnName);
        var model = Train(vocabulary, sequences);
        return LanguageModelTransformer.Create(model, _options.IdsColumnName, input);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(inputSchema, _options.IdsColumnName);

    /// <summary>Trains on id sequences directly (no ML.NET data view).</summary>
    public SoftmaxRegressionModel Train(CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences)
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
        if (fullBatch && _options.DeduplicateFullBatch)
            examples = examples.Deduplicate();

        using var generator = new Generator((ulong)_options.Seed);
        using var module = _options.InitialModel is { } start
            ? SoftmaxRegression.FromModel(start, _options.Encoding)
            : new SoftmaxRegression(vocabulary.Size, _options.BlockSize, _options.Context, _options.Encoding, generator);
        using var contexts = tensor(examples.Contexts, [examples.Count, _options.BlockSize]); // (n, block)
        using var targets = tensor(examples.Targets); // (n)
        using var weights = tensor(examples.Weights); // (n)

        History = TrainingLoop.Run(module, module.W, contexts, targets, weights, fullBatch ? null : _options.BatchSize, generator,
            new TrainingLoop.Settings(_options.Steps, _options.LearningRate, _options.L2, _options.Progress, _options.CancellationToken));
        return module.ToModel(vocabulary);
    }
}

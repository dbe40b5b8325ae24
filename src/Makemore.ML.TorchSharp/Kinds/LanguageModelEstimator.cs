using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// Trains a model of any <see cref="ModelKind"/> (the library's or one an application registered) on the ids column of
/// <c>MapCharactersToIds</c>, and returns the transformer that scores with it: one estimator for every kind, as makemore.py
/// has one training loop for every model. <see cref="Fit(IDataView, IDataView)"/> also evaluates on a dev set, for kinds
/// that train with the loop, and keeps the best model on it.
/// </summary>
public sealed class LanguageModelEstimator : IEstimator<LanguageModelTransformer<ILanguageModel>>
{
    private readonly Catalogs _catalogs;
    private readonly object _options;

    /// <summary>Creates the estimator in <paramref name="mlContext"/>; prefer <c>mlContext.Makemore().Trainers.Train(kind, options)</c>.</summary>
    /// <param name="mlContext">The context whose log, seed and cancellation reach the transforms it builds.</param>
    /// <param name="kind">What to train.</param>
    /// <param name="options">An options object of the kind (<see cref="ModelKind.CreateOptions"/>), or null for the kind's defaults.</param>
    public LanguageModelEstimator(MLContext mlContext, ModelKind kind, object? options = null) : this(Catalogs.Of(mlContext), kind, options)
    {
    }

    internal LanguageModelEstimator(Catalogs catalogs, ModelKind kind, object? options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        Kind = kind ?? throw new ArgumentNullException(nameof(kind));
        _options = options ?? kind.CreateOptions();
        kind.Validate(_options);
    }

    /// <summary>The kind trained.</summary>
    public ModelKind Kind { get; }

    /// <inheritdoc/>
    public LanguageModelTransformer<ILanguageModel> Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="input"/>, evaluating on <paramref name="dev"/> when the kind trains with the loop.</summary>
    /// <param name="input">The training names, after <c>MapCharactersToIds</c>.</param>
    /// <param name="dev">Dev names through the same <c>MapCharactersToIds</c>, or null.</param>
    public LanguageModelTransformer<ILanguageModel> Fit(IDataView input, IDataView? dev) =>
        TrainingData.Fit(_catalogs, Kind.IdsColumnOf(_options), input, Kind.UsesDev ? dev : null,
            (vocabulary, sequences, devSequences) => Kind.Train(_options, vocabulary, sequences, devSequences));

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(_catalogs, inputSchema, Kind.IdsColumnOf(_options));
}

using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>
/// Trains a model of any <see cref="ModelKind"/> (the library's or one an application registered) on the ids column of
/// <c>MapCharactersToIds</c>, and returns the transformer that scores with it: one estimator for every kind, as makemore.py
/// has one training loop for every model. <c>Fit(train, dev)</c> also evaluates on a dev set, for kinds
/// that train with the loop, and keeps the best model on it.
/// </summary>
public sealed class LanguageModelEstimator : LanguageModelEstimator<ILanguageModel>
{
    /// <summary>Creates the estimator in <paramref name="mlContext"/>; prefer <c>mlContext.Makemore().Trainers.Train(kind, options)</c>.</summary>
    /// <param name="mlContext">The context whose log, seed and cancellation reach the transforms it builds.</param>
    /// <param name="kind">What to train.</param>
    /// <param name="options">An options object of the kind (<see cref="ModelKind.CreateOptions"/>), or null for the kind's defaults.</param>
    public LanguageModelEstimator(MLContext mlContext, ModelKind kind, object? options = null) : this(Catalogs.Of(mlContext), kind, options)
    {
    }

    internal LanguageModelEstimator(Catalogs catalogs, ModelKind kind, object? options) : base(catalogs, kind, options ?? kind?.CreateOptions()!)
    {
    }
}

/// <summary>
/// The one estimator skeleton every kind trains through, typed by the model it returns: read the training (and dev) ids,
/// call the kind's <see cref="ModelKind.Train"/>, wrap the model in a <see cref="LanguageModelTransformer{TModel}"/>. The
/// typed estimators (<c>MlpEstimator</c>, <c>SoftmaxRegressionEstimator</c>, …) are this with their kind and options.
/// </summary>
/// <typeparam name="TModel">The inference model the kind returns.</typeparam>
public abstract class LanguageModelEstimator<TModel> : IEstimator<LanguageModelTransformer<TModel>> where TModel : ILanguageModel
{
    private readonly Catalogs _catalogs;
    private readonly object _options;

    private protected LanguageModelEstimator(Catalogs catalogs, ModelKind kind, object options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        Kind = kind ?? throw new ArgumentNullException(nameof(kind));
        // Copied: estimators are immutable, a later change to the caller's options changes nothing here.
        _options = kind.CopyOptions(options ?? throw new ArgumentNullException(nameof(options)));
        kind.Validate(_options);
    }

    /// <summary>The kind trained.</summary>
    public ModelKind Kind { get; }

    /// <inheritdoc/>
    public LanguageModelTransformer<TModel> Fit(IDataView input) => Fit(input, null);

    /// <summary>Trains on <paramref name="input"/>, evaluating on the whole <paramref name="dev"/> set while training when the kind trains with the loop.</summary>
    /// <param name="input">The training names, after <c>MapCharactersToIds</c>.</param>
    /// <param name="dev">Dev names through the same <c>MapCharactersToIds</c>, or null.</param>
    /// <returns>The transformer; its <see cref="LanguageModelTransformer.Training"/> has the losses per step, the dev evaluations and the best step.</returns>
    public LanguageModelTransformer<TModel> Fit(IDataView input, IDataView? dev) =>
        TrainingData.Fit(_catalogs, $"'{Kind.Name}' ({Kind.Description})", Kind.IdsColumnOf(_options), input, Kind.UsesDev ? dev : null,
            (vocabulary, sequences, devSequences, channel) =>
            {
                if (Kind.TrainingOf(_options) is not { } training)
                    return Train(vocabulary, sequences, devSequences);
                channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                    $"{training.Steps:N0} steps, {(training.BatchSize is int batch ? $"batch {batch}" : "full batch")}, learning rate {training.LearningRate}, seed {training.Seed}."));
                var callers = training.Progress;
                training.Progress = new DevEvaluationLog(channel, callers); // the caller's progress still hears every step
                try
                {
                    return Train(vocabulary, sequences, devSequences);
                }
                finally
                {
                    training.Progress = callers;
                }
            });

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(_catalogs, inputSchema, Kind.IdsColumnOf(_options));

    /// <summary>Sends each dev evaluation to the context's log, and every step on to the caller's progress.</summary>
    private sealed class DevEvaluationLog(IChannel channel, IProgress<TrainingProgress>? callers) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.DevLoss is double devLoss)
                channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                    $"Step {value.Step:N0}/{value.Steps:N0}: train loss {value.DataLoss:0.0000}, dev loss {devLoss:0.0000}."));
            callers?.Report(value);
        }
    }

    /// <summary>Trains on id sequences directly (no ML.NET data view).</summary>
    /// <param name="vocabulary">The characters.</param>
    /// <param name="sequences">Training items as ids.</param>
    /// <param name="dev">Dev items as ids, or null for no evaluation.</param>
    /// <returns>The model, and what the training did: losses per step, dev evaluations, the best step.</returns>
    public TrainedModel<TModel> Train(CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        var (model, training) = Kind.Train(_options, vocabulary, sequences, Kind.UsesDev ? dev : null);
        return new((TModel)model, training);
    }
}

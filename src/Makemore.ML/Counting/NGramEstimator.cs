using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;
using Makemore.ML.Text;
using Makemore.ML.Training;

namespace Makemore.ML.Counting;

public sealed partial class NGramEstimator
{
    /// <summary>Options of <see cref="NGramEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The ids column written by <c>MapCharactersToIds</c>. Default <c>Ids</c>.</summary>
        public string IdsColumnName { get; set; } = CharacterIdsEstimator.Defaults.OutputColumnName;

        /// <summary>n: each character is predicted from the previous n − 1 (2 = bigram, the lecture's model). 1–8.</summary>
        public int Order { get; set; } = NGramEstimator.Defaults.Order;

        /// <summary>How counts become probabilities. Default: add-one, the lecture's <c>N + 1</c>.</summary>
        public Smoothing Smoothing { get; set; } = NGramEstimator.Defaults.Smoothing;

        /// <summary>
        /// Bytes the counting may hold before it spills sorted runs to a temporary folder and merges them at the end (the
        /// model is the same); 0 for no limit. The fitted model itself is not part of the budget. Default 0.
        /// </summary>
        public long MemoryBudget { get; set; } = NGramEstimator.Defaults.MemoryBudget;

        /// <summary>A copy (every member is a value or immutable), for an estimator to hold.</summary>
        internal NGramEstimator.Options Copy() => (NGramEstimator.Options)MemberwiseClone();
    }
}

/// <summary>Trains a character <see cref="NGramModel"/> by counting: milliseconds, pure C#.</summary>
public sealed partial class NGramEstimator : IEstimator<LanguageModelTransformer<NGramModel>>
{
    /// <summary>Default values, shared by the catalog, the options and the docs.</summary>
    public static class Defaults
    {
        /// <summary>Bigram, as in the lecture.</summary>
        public const int Order = 2;

        /// <summary>Add-one smoothing, as in the lecture.</summary>
        public static Smoothing Smoothing => Counting.Smoothing.AddK(1);

        /// <summary>No memory budget: the counts stay in memory.</summary>
        public const long MemoryBudget = 0;
    }

    private readonly NGramEstimator.Options _options;
    private readonly Catalogs _catalogs;

    /// <summary>Creates the estimator in <paramref name="mlContext"/> (its log, seed and cancellation reach the transforms it builds); prefer <c>mlContext.Makemore().Trainers.NGram</c>.</summary>
    public NGramEstimator(MLContext mlContext, NGramEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal NGramEstimator(Catalogs catalogs, NGramEstimator.Options options)
    {
        _catalogs = catalogs ?? throw new ArgumentNullException(nameof(catalogs));
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Smoothing);
        ArgumentException.ThrowIfNullOrEmpty(options.IdsColumnName);
        if (options.Order < 1 || options.Order > NGramModel.MaxOrder)
            throw new ArgumentOutOfRangeException(nameof(options), options.Order, $"{nameof(NGramEstimator.Options.Order)} must be between 1 and {NGramModel.MaxOrder}.");
        options.Smoothing.Validate();
        if (options.MemoryBudget < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MemoryBudget, $"{nameof(NGramEstimator.Options.MemoryBudget)} must be ≥ 0 bytes (0: no limit).");
        _options = options.Copy(); // estimators are immutable: a later change to the caller's options changes nothing here
    }

    /// <inheritdoc/>
    /// <returns>The transformer; its <see cref="LanguageModelTransformer.Training"/> says how long counting and smoothing took.</returns>
    public LanguageModelTransformer<NGramModel> Fit(IDataView input) =>
        TrainingData.Fit(_catalogs, $"an n-gram model (order {_options.Order}, {_options.Smoothing})", _options.IdsColumnName, input, dev: null, (vocabulary, sequences, _, _) =>
        {
            var stopwatch = Stopwatch.StartNew();
            var model = NGramModel.Fit(vocabulary, _options.Order, _options.Smoothing, sequences, _options.MemoryBudget);
            return new TrainedModel<NGramModel>(model, TrainingResult.WithoutSteps(stopwatch.Elapsed));
        });

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingData.OutputSchema(_catalogs, inputSchema, _options.IdsColumnName);
}

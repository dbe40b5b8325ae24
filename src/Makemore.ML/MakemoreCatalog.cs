using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Evaluation;

namespace Makemore.ML;

/// <summary>Makemore's trainers and evaluator for one <see cref="MLContext"/>.</summary>
public sealed class MakemoreCatalog
{
    internal MakemoreCatalog(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Context = mlContext;
        Trainers = new MakemoreTrainers(this);
    }

    internal MLContext Context { get; }

    /// <summary>Trainers of character language models.</summary>
    public MakemoreTrainers Trainers { get; }

    /// <summary>Mean NLL per predicted character (nats), bits/char, perplexity and counts of a model's output.</summary>
    /// <param name="scored">The output of a Makemore model's <c>Transform</c>.</param>
    public LanguageModelMetrics Evaluate(IDataView scored) => LanguageModelEvaluator.Evaluate(scored);
}

/// <summary>Trainers of character language models: <c>mlContext.Makemore().Trainers</c>.</summary>
public sealed class MakemoreTrainers
{
    internal MakemoreTrainers(MakemoreCatalog owner) => Owner = owner;

    internal MakemoreCatalog Owner { get; }

    /// <summary>A count n-gram model: the lecture's bigram table, any order 1–8, add-k or Kneser–Ney smoothing.</summary>
    /// <param name="order">n: each character is predicted from the previous n − 1.</param>
    /// <param name="smoothing">How counts become probabilities; null for add-one.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public NGramEstimator NGram(int order = NGramEstimator.Defaults.Order, Smoothing? smoothing = null,
        string idsColumnName = Text.CharacterIdsEstimator.Defaults.OutputColumnName) =>
        new(new NGramOptions { Order = order, Smoothing = smoothing ?? NGramEstimator.Defaults.Smoothing, IdsColumnName = idsColumnName });

    /// <summary>A count n-gram model, with all options.</summary>
    public NGramEstimator NGram(NGramOptions options) => new(options);
}

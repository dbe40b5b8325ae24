using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.ML.Evaluation;

/// <summary>Computes <see cref="LanguageModelMetrics"/> from scored data; the one place the mean NLL is aggregated.</summary>
public static class LanguageModelEvaluator
{
    /// <summary>Aggregates the log-likelihood and predicted-count columns a Makemore model wrote.</summary>
    /// <param name="scored">Output of a Makemore model's <c>Transform</c>.</param>
    public static LanguageModelMetrics Evaluate(IDataView scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var logLikelihood = Require(scored, ScoreColumns.LogLikelihood, NumberDataViewType.Double);
        var count = Require(scored, ScoreColumns.PredictedCharacterCount, NumberDataViewType.Int32);
        using var cursor = Data.SequentialCursor.Open(scored, [logLikelihood, count]);
        var llGetter = cursor.GetGetter<double>(logLikelihood);
        var countGetter = cursor.GetGetter<int>(count);
        double sum = 0, ll = 0;
        int n = 0;
        long characters = 0, items = 0;
        while (cursor.MoveNext())
        {
            llGetter(ref ll);
            countGetter(ref n);
            sum += ll;
            characters += n;
            items++;
        }
        if (characters == 0)
            throw new ArgumentException("There is nothing to evaluate: the data has no rows.", nameof(scored));
        return new LanguageModelMetrics(-sum / characters, characters, items);
    }

    /// <summary>Evaluates a model object directly on id sequences (no ML.NET data view): the same numbers as scoring then <see cref="Evaluate(IDataView)"/>.</summary>
    /// <param name="model">Any Makemore model.</param>
    /// <param name="sequences">Character ids of each item, no boundary tokens.</param>
    public static LanguageModelMetrics Evaluate(ILanguageModel model, IEnumerable<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        double sum = 0;
        long characters = 0, items = 0;
        foreach (int[] ids in sequences)
        {
            var score = SequenceScorer.Score(model, ids);
            sum += score.LogLikelihood;
            characters += score.PredictedCount;
            items++;
        }
        if (characters == 0)
            throw new ArgumentException("There is nothing to evaluate: no items.", nameof(sequences));
        return new LanguageModelMetrics(-sum / characters, characters, items);
    }

    /// <summary>Evaluates a model object on texts, encoding them with the model's vocabulary.</summary>
    public static LanguageModelMetrics Evaluate(ILanguageModel model, IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(texts);
        return Evaluate(model, texts.Select(t => model.Vocabulary.Encode(t)));
    }

    private static DataViewSchema.Column Require(IDataView data, string name, DataViewType type)
    {
        var column = data.Schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(data), $"Column '{name}' not found: evaluate the output of a Makemore model's Transform.");
        if (column.Type != type)
            throw new ArgumentOutOfRangeException(nameof(data), $"Column '{name}' must be {type}, but is {column.Type}.");
        return column;
    }
}

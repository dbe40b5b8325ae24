using Microsoft.ML;

namespace Makemore.ML.Inference;

/// <summary>
/// Scores names with a trained model directly, without an ML.NET <c>PredictionEngine</c>: the same numbers, and safe
/// to share between threads (a <c>PredictionEngine</c> is not: one engine shared by 8 threads gives wrong results).
/// </summary>
public sealed class NameScorer
{
    private readonly ILanguageModel _model;

    /// <summary>Creates a scorer for a model object.</summary>
    public NameScorer(ILanguageModel model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Creates a scorer for the language model inside a trained or loaded ML.NET model.</summary>
    public static NameScorer From(ITransformer model) => new(MakemoreModel.GetLanguageModel(model));

    /// <summary>Scores one name: the columns a <c>PredictionEngine&lt;NameInput, NameScore&gt;</c> would return.</summary>
    /// <exception cref="FormatException">The name has a character the vocabulary cannot map (policy <c>Error</c>).</exception>
    public NameScore Score(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var score = new NameScore();
        Fill(_model, _model.Vocabulary.Encode(name), score);
        return score;
    }

    /// <summary>Fills every score column for one item's ids: the one definition shared with the saved model's mapping.</summary>
    internal static void Fill(ILanguageModel model, int[] ids, NameScore output)
    {
        Span<double> next = model.Vocabulary.Size <= 256 ? stackalloc double[model.Vocabulary.Size] : new double[model.Vocabulary.Size];
        var score = SequenceScorer.ScoreWithNext(model, ids, next); // one pass gives both where the model can
        output.LogLikelihood = score.LogLikelihood;
        output.NllPerCharacter = score.NllPerCharacter;
        output.Perplexity = score.Perplexity;
        output.PredictedCharacterCount = score.PredictedCount;
        var probabilities = output.NextCharacterProbabilities.Length == next.Length ? output.NextCharacterProbabilities : new float[next.Length];
        for (int i = 0; i < next.Length; i++)
            probabilities[i] = (float)next[i];
        output.NextCharacterProbabilities = probabilities;
    }
}

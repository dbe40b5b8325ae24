using System.Runtime.CompilerServices;
using Microsoft.ML;
using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>How <see cref="NameScorer"/> reads names before scoring them.</summary>
public sealed class NameScorerOptions
{
    /// <summary>
    /// Lower-case every name (invariant culture) before scoring, for models trained on lower-case names such as names.txt:
    /// "Emma" then scores as "emma". Default false: a name is scored as written.
    /// </summary>
    public bool FoldCase { get; set; }

    /// <summary>
    /// What to do with characters outside the model's vocabulary (digits, punctuation, letters it never saw): null (the
    /// default) follows the vocabulary's own policy (<see cref="CharacterVocabulary.Policy"/>, chosen at training);
    /// <see cref="UnknownCharacterPolicy.Error"/> refuses the name, <see cref="UnknownCharacterPolicy.Skip"/> drops the
    /// character, <see cref="UnknownCharacterPolicy.MapToUnknown"/> needs a vocabulary trained with an unknown symbol.
    /// </summary>
    public UnknownCharacterPolicy? UnknownCharacters { get; set; }
}

/// <summary>A name's score and where it falls among the training names.</summary>
/// <param name="Name">The name as given.</param>
/// <param name="ScoredAs">The text scored, after case folding and the unknown-character policy.</param>
/// <param name="Score">Log-likelihood, NLL per character, perplexity.</param>
/// <param name="Percentile">Plausibility percentile (0–100, see <see cref="PlausibilityTable.Percentile"/>), or null when the
/// model was saved without a plausibility table.</param>
public sealed record NameJudgement(string Name, string ScoredAs, NameScore Score, double? Percentile);

/// <summary>
/// Scores names with a trained model directly, without an ML.NET <c>PredictionEngine</c>: the same numbers, and safe
/// to share between threads (a <c>PredictionEngine</c> is not: one engine shared by 8 threads gives wrong results).
/// </summary>
public sealed class NameScorer
{
    private const int StackLimit = 256; // names up to this many characters are read into stack buffers, not arrays

    private readonly ILanguageModel _model;
    private readonly NameScorerOptions _options;

    /// <summary>Creates a scorer for a model object.</summary>
    /// <param name="model">The model.</param>
    /// <param name="plausibility">The model's plausibility table (e.g. <see cref="PlausibilityTable.FromNames"/> of its training names), or null.</param>
    /// <param name="options">How names are read; default: as written, under the vocabulary's policy.</param>
    /// <exception cref="ArgumentException">Options ask to map unknown characters but the vocabulary has no unknown symbol.</exception>
    public NameScorer(ILanguageModel model, PlausibilityTable? plausibility = null, NameScorerOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? new NameScorerOptions();
        Plausibility = plausibility;
        if (_options.UnknownCharacters == UnknownCharacterPolicy.MapToUnknown && model.Vocabulary.UnknownId < 0)
            throw new ArgumentException("The model's vocabulary has no unknown symbol (it was trained without --unknown map): choose Error or Skip for unknown characters.", nameof(options));
    }

    /// <summary>Creates a scorer for the language model inside a trained or loaded ML.NET model, with the plausibility table saved in it (if any).</summary>
    public static NameScorer From(ITransformer model, NameScorerOptions? options = null) =>
        new(MakemoreModel.GetLanguageModel(model), PlausibilityTable.From(model), options);

    /// <summary>The table percentiles are read from; null when the model has none.</summary>
    public PlausibilityTable? Plausibility { get; }

    /// <summary>Scores one name: the columns a <c>PredictionEngine&lt;NameInput, NameScore&gt;</c> would return (for the name after <see cref="Normalize"/>).</summary>
    /// <exception cref="FormatException">The name has a character the vocabulary cannot map (policy <c>Error</c>).</exception>
    [SkipLocalsInit]
    public NameScore Score(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<char> chars = !RewritesNames ? default : name.Length <= StackLimit ? stackalloc char[name.Length] : new char[name.Length];
        Span<int> ids = name.Length <= StackLimit ? stackalloc int[name.Length] : new int[name.Length];
        var score = new NameScore();
        Fill(_model, Encode(name, chars, ids), score);
        return score;
    }

    /// <summary>
    /// Scores one name's likelihood only: the <see cref="NameScore.LogLikelihood"/>, <see cref="NameScore.NllPerCharacter"/>
    /// and <see cref="NameScore.Perplexity"/> of <see cref="Score"/> without its next-character distribution, and without
    /// allocating for names up to 256 characters. For scoring many names where only the likelihood matters.
    /// </summary>
    /// <param name="name">The name, read as <see cref="Score"/> reads it (<see cref="Normalize"/>, then the vocabulary's policy).</param>
    /// <exception cref="FormatException">The name has a character the vocabulary cannot map (policy <c>Error</c>).</exception>
    [SkipLocalsInit] // the buffers are written before they are read; zeroing them was a measurable part of a bigram score
    public SequenceScore ScoreLikelihood(ReadOnlySpan<char> name)
    {
        Span<char> chars = !RewritesNames ? default : name.Length <= StackLimit ? stackalloc char[name.Length] : new char[name.Length];
        Span<int> ids = name.Length <= StackLimit ? stackalloc int[name.Length] : new int[name.Length];
        return SequenceScorer.Score(_model, Encode(name, chars, ids));
    }

    // The ids of a name as Score reads it, in caller buffers of the name's length (reading never lengthens a name): the
    // name is copied into chars only when the options rewrite it.
    private ReadOnlySpan<int> Encode(ReadOnlySpan<char> name, Span<char> chars, Span<int> ids)
    {
        ReadOnlySpan<char> text = RewritesNames ? chars[..NormalizeInto(name, chars)] : name;
        return ids[.._model.Vocabulary.Encode(text, ids)];
    }

    /// <summary>Scores one name and places it among the training names (<see cref="NameJudgement.Percentile"/> is null without a table).</summary>
    /// <exception cref="FormatException">The name has a character the vocabulary cannot map (policy <c>Error</c>).</exception>
    public NameJudgement Judge(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string scoredAs = Normalize(name);
        Span<int> ids = scoredAs.Length <= StackLimit ? stackalloc int[scoredAs.Length] : new int[scoredAs.Length];
        var score = new NameScore();
        Fill(_model, ids[.._model.Vocabulary.Encode(scoredAs, ids)], score);
        return new NameJudgement(name, scoredAs, score, Plausibility?.Percentile(score.NllPerCharacter));
    }

    /// <summary>
    /// The text that is scored for <paramref name="name"/>: case-folded if asked, with unknown characters dropped or
    /// replaced by <see cref="CharacterVocabulary.UnknownSymbol"/> per <see cref="NameScorerOptions.UnknownCharacters"/>
    /// (unchanged under the vocabulary's own policy, which applies when the text is encoded).
    /// </summary>
    /// <exception cref="FormatException">Policy <c>Error</c> and a character outside the vocabulary (named with its position).</exception>
    public string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!RewritesNames)
            return name;
        char[] buffer = new char[name.Length];
        return new string(buffer, 0, NormalizeInto(name, buffer));
    }

    // Whether Normalize can change a name: case folding or a policy for unknown characters of the scorer's own.
    private bool RewritesNames => _options.FoldCase || _options.UnknownCharacters is not null;

    // Normalize into a caller's buffer (at least name.Length long, case folding keeps the length); returns the length.
    private int NormalizeInto(ReadOnlySpan<char> name, Span<char> text)
    {
        if (_options.FoldCase)
            name.ToLowerInvariant(text);
        else
            name.CopyTo(text);
        if (_options.UnknownCharacters is not { } policy)
            return name.Length;
        var vocabulary = _model.Vocabulary;
        int kept = 0;
        for (int i = 0; i < name.Length; i++)
        {
            char c = text[i];
            if (vocabulary.IdOf(c) > 0)
                text[kept++] = c;
            else if (policy == UnknownCharacterPolicy.Error)
                throw new FormatException($"'{name}' contains {CharacterVocabulary.Describe(name, i)} at position {i + 1}, which is not in the model's vocabulary ({vocabulary.Size} symbols: {vocabulary}).");
            else if (policy == UnknownCharacterPolicy.MapToUnknown)
                text[kept++] = CharacterVocabulary.UnknownSymbol;
        }
        return kept;
    }

    /// <summary>Fills every score column for one item's ids: the one definition shared with the saved model's mapping.</summary>
    internal static void Fill(ILanguageModel model, ReadOnlySpan<int> ids, NameScore output)
    {
        Span<double> next = model.Vocabulary.Size <= 256 ? stackalloc double[model.Vocabulary.Size] : new double[model.Vocabulary.Size];
        var score = SequenceScorer.ScoreWithNext(model, ids, next); // one pass gives both where the model can
        output.LogLikelihood = score.LogLikelihood;
        output.NllPerCharacter = score.NllPerCharacter;
        output.Perplexity = score.Perplexity;
        output.PredictedCharacterCount = score.PredictedCount;
        var probabilities = output.NextCharacterProbabilities.Length == next.Length ? output.NextCharacterProbabilities : new float[next.Length];
        ToSingle(next, probabilities);
        output.NextCharacterProbabilities = probabilities;
    }

    /// <summary>The next-character distribution as the output column holds it: each probability rounded to a float.</summary>
    internal static void ToSingle(ReadOnlySpan<double> probabilities, Span<float> destination)
    {
        for (int i = 0; i < probabilities.Length; i++)
            destination[i] = (float)probabilities[i];
    }
}

using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>
/// The contract every Makemore model shares, whatever its architecture (counts, softmax regression, MLP, recurrent,
/// attention): score a whole item in one call, and decode one symbol at a time for sampling. Scoring, evaluation,
/// sampling and the ML.NET scoring column use only this (as in makemore.py, where every model has the same
/// <c>forward(idx, targets)</c>). Each model owns its input convention (left padding with the boundary, a start state,
/// positions); nothing outside a model builds contexts.
/// </summary>
public interface ILanguageModel
{
    /// <summary>The model's characters; id 0 is the boundary token.</summary>
    CharacterVocabulary Vocabulary { get; }

    /// <summary>
    /// Writes ln p of every predicted symbol of an item: each of its characters in turn, then the end token
    /// (<c>ids.Length + 1</c> values), each conditioned on everything before it in the item.
    /// </summary>
    /// <param name="ids">The item's character ids, no boundary tokens.</param>
    /// <param name="logProbabilities">Receives <c>ids.Length + 1</c> natural-log probabilities.</param>
    void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities);

    /// <summary>Starts decoding an item: a state before its first character that gives next-symbol distributions.</summary>
    ILanguageModelDecoder StartDecoding();

    /// <summary>
    /// <see cref="LogProbabilities"/>, and the distribution of the symbol that would follow the whole item (what a decoder
    /// gives after appending all of <paramref name="ids"/>): the scoring columns need both. The last position that predicts
    /// the end token computes that distribution anyway, so a model that can hands it over from the same pass; the default
    /// decodes the item a second time.
    /// </summary>
    /// <param name="ids">The item's character ids, no boundary tokens.</param>
    /// <param name="logProbabilities">Receives <c>ids.Length + 1</c> natural-log probabilities.</param>
    /// <param name="nextProbabilities">Receives one probability per vocabulary id (id 0: the item ends here).</param>
    void LogProbabilitiesAndNext(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> nextProbabilities)
    {
        LogProbabilities(ids, logProbabilities);
        SequenceScorer.NextProbabilities(this, ids, nextProbabilities);
    }

    /// <summary>
    /// Σ ln p over an item's <c>ids.Length + 1</c> predicted symbols: exactly the sum, in order, of what
    /// <see cref="LogProbabilities"/> writes. The default writes them to a buffer and adds them up; a model that can sums
    /// as it goes (the n-gram tables: one lookup and one add per symbol).
    /// </summary>
    /// <param name="ids">The item's character ids, no boundary tokens.</param>
    double LogLikelihood(ReadOnlySpan<int> ids) => SequenceScorer.SumOfLogProbabilities(this, ids);

    /// <summary>What the model is, as (name, value) lines for people (<c>makemore info</c>): architecture, sizes, options.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Describe();
}

/// <summary>
/// Incremental decoding of one item: the distribution of the next symbol given the characters appended so far. Sampling
/// costs one step per character, not a pass over a window or the whole prefix. Not thread-safe; one per item.
/// </summary>
public interface ILanguageModelDecoder
{
    /// <summary>How many characters have been appended.</summary>
    int Length { get; }

    /// <summary>Writes the distribution of the next symbol (id 0 = end of the item).</summary>
    /// <param name="probabilities">Receives one probability per vocabulary id; length <see cref="CharacterVocabulary.Size"/>.</param>
    void NextProbabilities(Span<double> probabilities);

    /// <summary>Appends a character id (not the boundary) to the item decoded so far.</summary>
    void Append(int id);
}

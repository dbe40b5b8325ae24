using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>
/// The contract every Makemore model shares (as in makemore.py, where every model has a <c>block_size</c>
/// and predicts the next character from the previous ones): scoring, evaluation and sampling use only this.
/// </summary>
public interface ILanguageModel
{
    /// <summary>The model's characters; id 0 is the boundary token.</summary>
    CharacterVocabulary Vocabulary { get; }

    /// <summary>How many previous symbols the model conditions on (n − 1 for an n-gram model).</summary>
    int BlockSize { get; }

    /// <summary>Writes the distribution of the next symbol.</summary>
    /// <param name="context">The previous <see cref="BlockSize"/> ids, oldest first, padded on the left with boundary ids (0).</param>
    /// <param name="probabilities">Receives one probability per vocabulary id; length <see cref="CharacterVocabulary.Size"/>.</param>
    void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities);
}

using Makemore.ML.Text;

namespace Makemore.ML.Inference;

/// <summary>
/// A model that predicts each symbol from a fixed window of the <see cref="BlockSize"/> previous ids, left-padded with
/// the boundary id 0 (the lectures' convention: <c>context = [0] * block_size</c>, then shift). The n-gram tables,
/// softmax regression and the MLP family are window models; their windows are built here, with <see cref="ContextWindow"/>.
/// </summary>
public abstract class WindowLanguageModel : ILanguageModel
{
    /// <inheritdoc/>
    public abstract CharacterVocabulary Vocabulary { get; }

    /// <summary>How many previous symbols the model conditions on (n − 1 for an n-gram model).</summary>
    public abstract int BlockSize { get; }

    /// <summary>Writes the distribution of the next symbol after a window.</summary>
    /// <param name="context">The previous <see cref="BlockSize"/> ids, oldest first, padded on the left with boundary ids (0).</param>
    /// <param name="probabilities">Receives one probability per vocabulary id; length <see cref="CharacterVocabulary.Size"/>.</param>
    public abstract void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities);

    /// <inheritdoc/>
    public abstract IReadOnlyList<KeyValuePair<string, string>> Describe();

    /// <inheritdoc/>
    /// <remarks>One window per predicted symbol; a model that can batch the windows (one forward pass for the item) overrides it.</remarks>
    public virtual void LogProbabilities(ReadOnlySpan<int> ids, Span<double> logProbabilities)
    {
        if (logProbabilities.Length < ids.Length + 1)
            throw new ArgumentException($"Needs room for {ids.Length + 1} values, got {logProbabilities.Length}.", nameof(logProbabilities));
        Span<int> context = BlockSize <= 64 ? stackalloc int[BlockSize] : new int[BlockSize];
        context.Clear();
        int v = Vocabulary.Size;
        Span<double> probabilities = v <= 256 ? stackalloc double[v] : new double[v];
        for (int i = 0; i <= ids.Length; i++)
        {
            int target = ContextWindow.At(ids, i);
            GetNextProbabilities(context, probabilities);
            logProbabilities[i] = Math.Log(probabilities[target]);
            ContextWindow.Shift(context, target);
        }
    }

    /// <inheritdoc/>
    public virtual double LogLikelihood(ReadOnlySpan<int> ids) => SequenceScorer.SumOfLogProbabilities(this, ids);

    /// <inheritdoc/>
    /// <remarks>The distribution after the item is read from its last window directly: no decoder, no second pass.</remarks>
    public void LogProbabilitiesAndNext(ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> nextProbabilities)
    {
        if (nextProbabilities.Length != Vocabulary.Size)
            throw new ArgumentException($"Expected room for {Vocabulary.Size} probabilities, got {nextProbabilities.Length}.", nameof(nextProbabilities));
        LogProbabilities(ids, logProbabilities);
        GetNextProbabilitiesAfter(ids, nextProbabilities);
    }

    /// <summary>The distribution of the symbol after the whole of <paramref name="ids"/>: what a decoder gives after appending them all.</summary>
    internal void GetNextProbabilitiesAfter(ReadOnlySpan<int> ids, Span<double> probabilities)
    {
        Span<int> context = BlockSize <= 64 ? stackalloc int[BlockSize] : new int[BlockSize];
        ContextWindow.Fill(ids, ids.Length, context); // the last BlockSize ids, left-padded with the boundary: the decoder's window
        GetNextProbabilities(context, probabilities);
    }

    /// <inheritdoc/>
    public ILanguageModelDecoder StartDecoding() => new Decoder(this);

    private sealed class Decoder(WindowLanguageModel model) : ILanguageModelDecoder
    {
        private readonly int[] _context = new int[model.BlockSize];

        public int Length { get; private set; }

        public void NextProbabilities(Span<double> probabilities) => model.GetNextProbabilities(_context, probabilities);

        public void Append(int id)
        {
            if ((uint)id >= (uint)model.Vocabulary.Size || id == 0)
                throw new ArgumentOutOfRangeException(nameof(id), id, $"A character id is 1–{model.Vocabulary.Size - 1}.");
            ContextWindow.Shift<int>(_context, id);
            Length++;
        }
    }
}

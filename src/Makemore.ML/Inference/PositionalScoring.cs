namespace Makemore.ML.Inference;

/// <summary>
/// A model that reads its input one position at a time, left to right, with learned positions 0…BlockSize − 1 (the
/// bag-of-words and the Transformer): the workspace carries what later positions need (a running sum, a key/value cache).
/// </summary>
/// <typeparam name="TWorkspace">The per-item state and scratch buffers; allocated once per decoder.</typeparam>
internal interface IPositionalNetwork<TWorkspace>
{
    /// <summary>Positions the network reads; an input longer than this slides a window over its last positions.</summary>
    int BlockSize { get; }

    /// <summary>V.</summary>
    int VocabularySize { get; }

    /// <summary>A fresh workspace for one item.</summary>
    TWorkspace CreateWorkspace();

    /// <summary>Reads <paramref name="token"/> at <paramref name="position"/> (positions before it already read into the workspace) and writes the logits predicting the next symbol.</summary>
    void Step(TWorkspace workspace, int token, int position, Span<float> logits);
}

/// <summary>
/// Whole-item scoring and incremental decoding for an <see cref="IPositionalNetwork{TWorkspace}"/>, both through the
/// same <c>Step</c> so they agree exactly. Past the block size it does what makemore.py's <c>generate</c> does: read the
/// last BlockSize symbols again at positions 0…BlockSize − 1 (the start token drops out of the window).
/// </summary>
internal static partial class PositionalScoring
{
    /// <summary>ln p of each of the item's characters and of the end token (see <see cref="ILanguageModel.LogProbabilities"/>).</summary>
    /// <remarks>With a non-empty <paramref name="next"/>, also writes the distribution after the whole item (the last position's softmax).</remarks>
    public static void LogProbabilities<TWorkspace>(IPositionalNetwork<TWorkspace> network, TWorkspace workspace, Span<float> logits,
        ReadOnlySpan<int> ids, Span<double> logProbabilities, Span<double> next = default)
    {
        if (logProbabilities.Length != ids.Length + 1)
            throw new ArgumentException($"Expected room for {ids.Length + 1} log-probabilities, got {logProbabilities.Length}.", nameof(logProbabilities));
        int v = network.VocabularySize, block = network.BlockSize;
        foreach (int id in ids)
            if (id <= 0 || id >= v)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"A character id must be 1…{v - 1} (0 is the boundary).");
        // Input position i holds the start token (i = 0) or ids[i − 1], and predicts ids[i] (or the end token).
        for (int i = 0; i <= ids.Length; i++)
        {
            if (i < block)
                network.Step(workspace, i == 0 ? 0 : ids[i - 1], i, logits);
            else
                for (int p = 0, first = i - block + 1; p < block; p++)
                    network.Step(workspace, ids[first + p - 1], p, logits);
            logProbabilities[i] = LogSoftmaxAt(logits, i < ids.Length ? ids[i] : 0);
        }
        if (!next.IsEmpty)
            Softmax(logits, next);
    }

    /// <summary>ln softmax(logits)[target], in double.</summary>
    public static double LogSoftmaxAt(ReadOnlySpan<float> logits, int target)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float l in logits)
            sum += Math.Exp(l - max);
        return logits[target] - max - Math.Log(sum);
    }

    /// <summary>softmax(logits), in double.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<double> probabilities)
    {
        if (probabilities.Length != logits.Length)
            throw new ArgumentException($"Expected room for {logits.Length} probabilities, got {probabilities.Length}.", nameof(probabilities));
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
            sum += probabilities[c] = Math.Exp(logits[c] - max);
        for (int c = 0; c < logits.Length; c++)
            probabilities[c] /= sum;
    }

    /// <summary>
    /// Decodes one item: each appended character costs one <c>Step</c> (a full window again only past the block size);
    /// nothing is allocated after construction.
    /// </summary>
    public sealed class Decoder<TWorkspace> : ILanguageModelDecoder
    {
        private readonly IPositionalNetwork<TWorkspace> _network;
        private readonly TWorkspace _workspace;
        private readonly float[] _logits;
        private readonly int[] _window; // the last BlockSize input symbols, oldest first

        public Decoder(IPositionalNetwork<TWorkspace> network)
        {
            _network = network;
            _workspace = network.CreateWorkspace();
            _logits = new float[network.VocabularySize];
            _window = new int[network.BlockSize];
            network.Step(_workspace, 0, 0, _logits); // the start token at position 0
        }

        public int Length { get; private set; }

        public void NextProbabilities(Span<double> probabilities) => Softmax(_logits, probabilities);

        public void Append(int id)
        {
            if (id <= 0 || id >= _network.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(id), id, $"A character id must be 1…{_network.VocabularySize - 1} (0 is the boundary).");
            Length++;
            int block = _window.Length;
            if (Length < block)
            {
                _window[Length] = id;
                _network.Step(_workspace, id, Length, _logits);
                return;
            }
            _window.AsSpan(1).CopyTo(_window);
            _window[^1] = id;
            for (int p = 0; p < block; p++)
                _network.Step(_workspace, _window[p], p, _logits);
        }
    }
}

using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>Which of makemore.py's sequence models <see cref="SequenceModelEstimator"/> trains.</summary>
public enum SequenceModelKind
{
    /// <summary>makemore.py's <c>--type rnn</c>: an Elman RNN (Mikolov et al. 2010).</summary>
    Rnn,
    /// <summary>makemore.py's <c>--type gru</c>: a GRU (Cho et al. 2014).</summary>
    Gru,
    /// <summary>An LSTM (Hochreiter &amp; Schmidhuber 1997), promised by makemore.py's README.</summary>
    Lstm,
    /// <summary>makemore.py's <c>--type bow</c>: causal averaging of the previous embeddings, then an MLP.</summary>
    BagOfWords,
    /// <summary>makemore.py's <c>--type transformer</c>: GPT-2 style (Radford et al. 2019; Vaswani et al. 2017).</summary>
    Transformer,
}

/// <summary>The one place that maps a <see cref="SequenceModelKind"/> to its network: adding a kind is one arm here.</summary>
public static class SequenceNetworks
{
    /// <summary>Builds the network of <see cref="SequenceModelEstimator.Options.Kind"/> with the options' sizes.</summary>
    /// <param name="options">Kind and sizes (<c>n_embd</c>, <c>n_embd2</c>, <c>n_layer</c>, <c>n_head</c>).</param>
    /// <param name="vocabularySize">V.</param>
    /// <param name="blockSize">The longest input, T.</param>
    /// <param name="generator">Draws every initial weight.</param>
    public static ISequenceNetwork Create(SequenceModelEstimator.Options options, int vocabularySize, int blockSize, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Kind switch
        {
            SequenceModelKind.Rnn => new RecurrentNetwork(RecurrentCell.Rnn, vocabularySize, blockSize, options.EmbeddingSize, options.HiddenSize, generator),
            SequenceModelKind.Gru => new RecurrentNetwork(RecurrentCell.Gru, vocabularySize, blockSize, options.EmbeddingSize, options.HiddenSize, generator),
            SequenceModelKind.Lstm => new RecurrentNetwork(RecurrentCell.Lstm, vocabularySize, blockSize, options.EmbeddingSize, options.HiddenSize, generator),
            SequenceModelKind.BagOfWords => new BagOfWordsNetwork(vocabularySize, blockSize, generator, options.EmbeddingSize, options.HiddenSize),
            SequenceModelKind.Transformer => new TransformerNetwork(vocabularySize, blockSize, generator, options.LayerCount, options.HeadCount, options.EmbeddingSize, options.Dropout, options.TieWeights),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "Unknown sequence model kind."),
        };
    }
}

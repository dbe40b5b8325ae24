using Makemore.ML.Inference;
using Makemore.ML.Text;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Models;

/// <summary>
/// A causal network over whole items, as makemore.py's models: input ids (B, T) with the start token 0 first, logits
/// (B, T, V) where position t predicts input t + 1 (the last predicts the end token 0). The sequence models (RNN, GRU,
/// LSTM, bag-of-words, Transformer) implement it, so one estimator trains them all with the one training loop.
/// </summary>
public interface ISequenceNetwork
{
    /// <summary>The module whose parameters are trained.</summary>
    nn.Module Module { get; }

    /// <summary>The longest input the network reads (the Transformer's positions); items are at most this long plus the end token.</summary>
    int BlockSize { get; }

    /// <summary>Logits of every position.</summary>
    /// <param name="ids">(B, T) int64, T ≤ <see cref="BlockSize"/>, 0 = the start token.</param>
    /// <returns>(B, T, V) logits.</returns>
    Tensor Forward(Tensor ids);

    /// <summary>Parameters that weight decay applies to (makemore.py decays every parameter).</summary>
    IEnumerable<global::TorchSharp.Modules.Parameter> DecayedParameters();

    /// <summary>Copies the trained network into its plain C# model, which scores and samples without libtorch.</summary>
    ILanguageModel ToModel(CharacterVocabulary vocabulary);
}

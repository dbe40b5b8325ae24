using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Trains any of makemore.py's sequence models (<see cref="SequenceModelKind"/>, built by <see cref="SequenceNetworks"/>)
/// with the one training loop on TorchSharp, on whole items as makemore.py's <c>CharDataset</c> gives them
/// (<see cref="SequenceExamples"/>), and returns a transformer that scores with the network's plain C# model: the saved
/// model needs no libtorch. <c>Fit(train, dev)</c> also evaluates on a dev set and keeps the best model on it.
/// </summary>
public sealed partial class SequenceModelEstimator : LanguageModelEstimator<ILanguageModel>
{
    /// <summary>makemore.py's model settings, read by <see cref="SequenceModelEstimator.Options"/>, the catalog and the CLI; the training ones are <see cref="TrainingOptions.Defaults"/>.</summary>
    public static class Defaults
    {
        /// <summary>The kind a new <see cref="SequenceModelEstimator.Options"/> trains.</summary>
        /// <remarks>makemore.py's own default <c>--type</c> is the Transformer; here <c>Trainers.Sequence()</c> without a kind, and a bare options object, start from the cheapest, the RNN (<c>makemore train</c> always names its <c>--type</c>).</remarks>
        public const SequenceModelKind Kind = SequenceModelKind.Rnn;

        /// <summary>Width of a character embedding: 64 (makemore.py's <c>--n-embd</c>).</summary>
        public const int EmbeddingSize = 64;

        /// <summary>Width of the hidden state: 64 (makemore.py's <c>--n-embd2</c>).</summary>
        public const int HiddenSize = 64;

        /// <summary>Transformer blocks: 4 (makemore.py's <c>--n-layer</c>).</summary>
        public const int LayerCount = 4;

        /// <summary>Attention heads: 4 (makemore.py's <c>--n-head</c>).</summary>
        public const int HeadCount = 4;

        /// <summary>Transformer dropout while training: 0 (makemore.py has none).</summary>
        public const double Dropout = 0;

        /// <summary>Transformer weight tying (read-out = token embeddings): off (makemore.py has a separate lm_head).</summary>
        public const bool TieWeights = false;

        /// <summary>With a teacher, the share of its distribution in each training target: 0.5 (the rest is the character seen).</summary>
        public const double TeacherWeight = 0.5;
    }

    /// <summary>Creates the estimator in <paramref name="mlContext"/> (its log, seed and cancellation reach the transforms it builds); prefer <c>mlContext.Makemore().Trainers.Sequence</c>.</summary>
    public SequenceModelEstimator(MLContext mlContext, SequenceModelEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal SequenceModelEstimator(Catalogs catalogs, SequenceModelEstimator.Options options) : base(catalogs, SequenceKind.For((options ?? throw new ArgumentNullException(nameof(options))).Kind), options)
    {
    }
}

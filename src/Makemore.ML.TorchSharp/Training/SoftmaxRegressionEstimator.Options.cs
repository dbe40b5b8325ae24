using Makemore.ML.Training;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Training;

public sealed partial class SoftmaxRegressionEstimator
{
    /// <summary>Options of <see cref="SoftmaxRegressionEstimator"/>; defaults are the lecture's neural bigram.</summary>
    public sealed class Options : INeuralOptions
    {
        /// <summary>The ids column written by <c>MapCharactersToIds</c>. Default <c>Ids</c>.</summary>
        public string IdsColumnName { get; set; } = Makemore.ML.Text.CharacterIdsEstimator.Defaults.OutputColumnName;

        /// <summary>How many previous characters the model sees: 1 = bigram, 2 = trigram (E01). Default 1.</summary>
        public int BlockSize { get; set; } = SoftmaxRegressionEstimator.Defaults.BlockSize;

        /// <summary>Joint (one row of W per whole context) or per-position (one row per position and character). Default joint.</summary>
        public ContextEncoding Context { get; set; } = SoftmaxRegressionEstimator.Defaults.Context;

        /// <summary>One-hot matmul (the lecture) or row indexing (E04); same numbers. Default embedding (faster).</summary>
        public InputEncoding Encoding { get; set; } = SoftmaxRegressionEstimator.Defaults.Encoding;

        /// <summary>Strength of the L2 term <c>L2 · mean(W²)</c>, the neural counterpart of smoothing. Default 0.01 (the lecture).</summary>
        public double L2 { get; set; } = SoftmaxRegressionEstimator.Defaults.L2;

        /// <summary>
        /// Steps, batches, learning rate, optimizer, schedule, seed, checkpoints, time limit, progress and cancellation: the
        /// one training loop's options, as every neural kind has them. Default the lecture's: 300 full-batch steps of plain
        /// gradient descent at 50, constant, seed 2147483647 (<see cref="SoftmaxRegressionEstimator.Defaults.Training"/>).
        /// </summary>
        public TrainingOptions Training { get; set; } = SoftmaxRegressionEstimator.Defaults.Training();

        /// <summary>
        /// For full-batch training, compute the loss over distinct (context, next) events weighted by their counts: the same
        /// loss and gradient as the lecture's one row per event, with a few hundred rows instead of 228,146. Default true.
        /// </summary>
        public bool DeduplicateFullBatch { get; set; } = true;

        /// <summary>libtorch CPU threads. Default 1: on small models more threads are much slower (docs/architecture.md, "libtorch threads").</summary>
        public int Threads { get; set; } = SoftmaxRegressionEstimator.Defaults.Threads;

        /// <summary>Start from these weights instead of random ones (continue training a saved model).</summary>
        public SoftmaxRegressionModel? InitialModel { get; set; }

        /// <summary>A copy for an estimator to hold, with its own training options (the initial model or teacher is shared: models are not changed by training).</summary>
        internal SoftmaxRegressionEstimator.Options Copy()
        {
            var copy = (SoftmaxRegressionEstimator.Options)MemberwiseClone();
            copy.Training = Training?.Copy()!;
            return copy;
        }

        /// <inheritdoc/>
        INeuralOptions INeuralOptions.Copy() => Copy();

        /// <inheritdoc/>
        void INeuralOptions.Validate() => Validate();

        internal void Validate()
        {
            INeuralOptions.ValidateShared(IdsColumnName, Training, Threads);
            if (BlockSize < 1)
                throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "BlockSize must be ≥ 1.");
            if (!(L2 >= 0) || double.IsInfinity(L2))
                throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be a finite number ≥ 0.");
            Training.Validate();
        }
    }
}

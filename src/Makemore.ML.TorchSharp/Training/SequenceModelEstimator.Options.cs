using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Training;

public sealed partial class SequenceModelEstimator
{
    /// <summary>
    /// Options of <see cref="SequenceModelEstimator"/>. A new instance holds makemore.py's setting: n_embd 64, n_embd2 64,
    /// n_layer 4, n_head 4, block size = longest item + 1, AdamW at 5e-4 (betas 0.9/0.99, weight decay 0.01), batches of
    /// 32, seed 3407 (<see cref="SequenceModelEstimator.Defaults"/>, <see cref="TrainingOptions.Defaults"/>).
    /// </summary>
    public sealed class Options : Kinds.IDistillationOptions, INeuralOptions
    {
        /// <summary>The ids column written by <c>MapCharactersToIds</c>. Default <c>Ids</c>.</summary>
        public string IdsColumnName { get; set; } = Text.CharacterIdsEstimator.Defaults.OutputColumnName;

        /// <summary>Which model (makemore.py's <c>--type</c>). Default <see cref="SequenceModelEstimator.Defaults.Kind"/>.</summary>
        public SequenceModelKind Kind { get; set; } = SequenceModelEstimator.Defaults.Kind;

        /// <summary>The largest <see cref="BlockSize"/>: 4096, so the longest item is 4,095 characters.</summary>
        public const int MaxBlockSize = 4096;

        /// <summary>The longest input, T (makemore.py's <c>block_size</c>); null for the longest training or dev item + 1.</summary>
        public int? BlockSize { get; set; }

        /// <summary>Width of a character embedding (makemore.py's <c>--n-embd</c>). Default 64.</summary>
        public int EmbeddingSize { get; set; } = SequenceModelEstimator.Defaults.EmbeddingSize;

        /// <summary>Width of the hidden state of the recurrent and bag-of-words models (makemore.py's <c>--n-embd2</c>). Default 64.</summary>
        public int HiddenSize { get; set; } = SequenceModelEstimator.Defaults.HiddenSize;

        /// <summary>Transformer blocks (makemore.py's <c>--n-layer</c>). Default 4.</summary>
        public int LayerCount { get; set; } = SequenceModelEstimator.Defaults.LayerCount;

        /// <summary>Attention heads per block (makemore.py's <c>--n-head</c>). Default 4.</summary>
        public int HeadCount { get; set; } = SequenceModelEstimator.Defaults.HeadCount;

        /// <summary>
        /// Transformer: dropout probability while training (embeddings, attention weights, residual branches). Default 0,
        /// makemore.py's; on the lecture split its Transformer overfits after ~10k steps without it.
        /// </summary>
        public double Dropout { get; set; } = SequenceModelEstimator.Defaults.Dropout;

        /// <summary>
        /// Transformer: read out through the token embeddings instead of a separate <c>lm_head</c> (weight tying, as GPT-2).
        /// Default false, makemore.py's.
        /// </summary>
        public bool TieWeights { get; set; } = SequenceModelEstimator.Defaults.TieWeights;

        /// <summary>Steps, batches, optimizer, schedule, seed, evaluation, checkpoints, progress and cancellation. Default makemore.py's.</summary>
        public TrainingOptions Training { get; set; } = new();

        /// <summary>
        /// A trained model to distil (Hinton et al. 2015), or null: each training target becomes <see cref="TeacherWeight"/> of the
        /// teacher's next-character distribution plus the rest on the character seen, and the network minimises the cross-entropy
        /// to it. Dev is still scored against the characters seen. The teacher must share the training data's vocabulary; any
        /// model will do, an interpolation of several included.
        /// </summary>
        public ILanguageModel? Teacher { get; set; }

        /// <summary>With a <see cref="Teacher"/>, its share of each training target, in (0, 1].</summary>
        public double TeacherWeight { get; set; } = SequenceModelEstimator.Defaults.TeacherWeight;

        /// <summary>libtorch CPU threads. Default 1: small models run fastest on one (docs/architecture.md, "libtorch threads").</summary>
        public int Threads { get; set; } = TorchRuntime.DefaultThreadCount;

        /// <summary>A copy for an estimator to hold, with its own training options (the initial model or teacher is shared: models are not changed by training).</summary>
        internal SequenceModelEstimator.Options Copy()
        {
            var copy = (SequenceModelEstimator.Options)MemberwiseClone();
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
            if (!Enum.IsDefined(Kind))
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown sequence model kind.");
            if (BlockSize is < 1 or > MaxBlockSize)
                throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, $"BlockSize must be 1–{MaxBlockSize} (or null for the longest item + 1).");
            if (EmbeddingSize is < 1 or > 4096)
                throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, "EmbeddingSize must be 1–4096.");
            if (HiddenSize is < 1 or > 4096)
                throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "HiddenSize must be 1–4096.");
            if (LayerCount is < 1 or > 64)
                throw new ArgumentOutOfRangeException(nameof(LayerCount), LayerCount, "LayerCount must be 1–64.");
            if (HeadCount < 1 || EmbeddingSize % HeadCount != 0)
                throw new ArgumentOutOfRangeException(nameof(HeadCount), HeadCount, $"HeadCount must be ≥ 1 and divide EmbeddingSize ({EmbeddingSize}).");
            if (!(Dropout >= 0 && Dropout < 1))
                throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
            if (Dropout > 0 && Kind != SequenceModelKind.Transformer)
                throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, $"Dropout applies to the Transformer only, not to {Kind}.");
            if (TieWeights && Kind != SequenceModelKind.Transformer)
                throw new ArgumentOutOfRangeException(nameof(TieWeights), TieWeights, $"Weight tying applies to the Transformer only, not to {Kind}.");
            if (!(TeacherWeight > 0 && TeacherWeight <= 1))
                throw new ArgumentOutOfRangeException(nameof(TeacherWeight), TeacherWeight, "TeacherWeight must be in (0, 1].");
        }
    }
}

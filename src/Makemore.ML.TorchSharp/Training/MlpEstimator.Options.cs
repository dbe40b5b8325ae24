using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Training;

public sealed partial class MlpEstimator
{
    /// <summary>
    /// Options of <see cref="MlpEstimator"/>. A new instance (or <see cref="ForLecture"/>) holds the lecture's setting of
    /// <see cref="Kind"/>: sizes, 200,000 SGD steps of 32 with the lecture's step decay, the lecture's seed.
    /// </summary>
    public sealed class Options : INeuralOptions
    {
        /// <summary>The lecture setting of <paramref name="kind"/> (<see cref="MlpEstimator.Defaults.For"/>).</summary>
        public static MlpEstimator.Options ForLecture(MlpKind kind)
        {
            var lecture = MlpEstimator.Defaults.For(kind);
            return new MlpEstimator.Options
            {
                Kind = kind,
                BlockSize = lecture.BlockSize,
                EmbeddingSize = lecture.EmbeddingSize,
                HiddenSize = lecture.HiddenSize,
                Training = lecture.Training(),
            };
        }

        /// <summary>The ids column written by <c>MapCharactersToIds</c>. Default <c>Ids</c>.</summary>
        public string IdsColumnName { get; set; } = Text.CharacterIdsEstimator.Defaults.OutputColumnName;

        /// <summary>Which lecture model. Default <see cref="MlpKind.Mlp"/>.</summary>
        public MlpKind Kind { get; set; } = MlpEstimator.Defaults.Kind;

        /// <summary>Previous characters seen (the lectures: 3, or 8 for the WaveNet; a power of 2 for the WaveNet).</summary>
        public int BlockSize { get; set; } = MlpEstimator.Defaults.For(MlpEstimator.Defaults.Kind).BlockSize;

        /// <summary>Width of a character embedding, E (the lectures: 10, or 24 for the WaveNet).</summary>
        public int EmbeddingSize { get; set; } = MlpEstimator.Defaults.For(MlpEstimator.Defaults.Kind).EmbeddingSize;

        /// <summary>Units per hidden level (the lectures: 200, or 128 for the WaveNet).</summary>
        public int HiddenSize { get; set; } = MlpEstimator.Defaults.For(MlpEstimator.Defaults.Kind).HiddenSize;

        /// <summary>
        /// Hidden levels: 1 (the lectures' MLPs; more makes part 3's deeper network, each further level H → H) or, for the
        /// WaveNet, log2(block). Null for the kind's own.
        /// </summary>
        public int? HiddenLayers { get; set; }

        /// <summary>Steps, batches, optimizer, schedule, seed, evaluation, checkpoints, progress and cancellation: the one training loop's options.</summary>
        public TrainingOptions Training { get; set; } = MlpEstimator.Defaults.For(MlpEstimator.Defaults.Kind).Training();

        /// <summary>libtorch CPU threads. Default 1: small models run fastest on one (docs/architecture.md, "libtorch threads").</summary>
        public int Threads { get; set; } = TorchRuntime.DefaultThreadCount;

        /// <summary>Start from this model's parameters (continue training a saved model); it must match the kind and sizes.</summary>
        public MlpModel? InitialModel { get; set; }

        /// <summary>A copy for an estimator to hold, with its own training options (the initial model or teacher is shared: models are not changed by training).</summary>
        internal MlpEstimator.Options Copy()
        {
            var copy = (MlpEstimator.Options)MemberwiseClone();
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
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown MLP kind.");
            if (BlockSize < 1 || BlockSize > 64)
                throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "BlockSize must be 1–64.");
            if (Kind == MlpKind.WaveNet && (BlockSize < 2 || (BlockSize & (BlockSize - 1)) != 0))
                throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "A WaveNet fuses pairs: BlockSize must be a power of 2 (the lecture: 8).");
            if (EmbeddingSize < 1 || EmbeddingSize > 4096)
                throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, "EmbeddingSize must be 1–4096.");
            if (HiddenSize < 1 || HiddenSize > 65536)
                throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "HiddenSize must be 1–65536.");
            if (HiddenLayers is int layers && (layers < 1 || layers > 64))
                throw new ArgumentOutOfRangeException(nameof(HiddenLayers), layers, "HiddenLayers must be 1–64.");
            if (Kind == MlpKind.WaveNet && HiddenLayers is int levels && levels != System.Numerics.BitOperations.Log2((uint)BlockSize))
                throw new ArgumentOutOfRangeException(nameof(HiddenLayers), levels,
                    $"A WaveNet of block {BlockSize} has {System.Numerics.BitOperations.Log2((uint)BlockSize)} levels (log2 of the block); leave HiddenLayers out.");
        }
    }
}

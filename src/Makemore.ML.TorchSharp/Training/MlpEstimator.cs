using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Trains the lectures' MLP family (<see cref="MlpNetwork"/>: Bengio MLP, BatchNorm MLP, WaveNet) with the one training
/// loop on TorchSharp, and returns a transformer that scores with the plain C# <see cref="MlpModel"/>: the saved model
/// needs no libtorch. <c>Fit(train, dev)</c> also evaluates on a dev set and keeps the best model on it.
/// </summary>
public sealed partial class MlpEstimator : LanguageModelEstimator<MlpModel>
{
    /// <summary>The lecture settings, read by <see cref="MlpEstimator.Options"/>, the catalog and the CLI.</summary>
    public static class Defaults
    {
        /// <summary>The kind a new <see cref="MlpEstimator.Options"/> trains: Bengio's MLP.</summary>
        public const MlpKind Kind = MlpKind.Mlp;

        /// <summary>Steps in every lecture setting: 200,000 minibatches.</summary>
        public const int Steps = 200_000;

        /// <summary>Minibatch size in every lecture setting: 32.</summary>
        public const int BatchSize = 32;

        /// <summary>SGD step size before the decay: 0.1; after it, 0.01.</summary>
        public const double LearningRate = 0.1;

        /// <summary>The lectures' seed: <c>torch.Generator().manual_seed(2147483647)</c>.</summary>
        public const long Seed = Sampling.SamplingOptions.LectureSeed;

        /// <summary>The lecture setting of one kind.</summary>
        /// <param name="BlockSize">Previous characters seen.</param>
        /// <param name="EmbeddingSize">E.</param>
        /// <param name="HiddenSize">Units per hidden level.</param>
        /// <param name="DecayAfterStep">The step after which the learning rate falls from 0.1 to 0.01.</param>
        public sealed record Lecture(int BlockSize, int EmbeddingSize, int HiddenSize, int DecayAfterStep)
        {
            /// <summary>200,000 SGD steps of 32, 0.1 then 0.01, the lectures' seed.</summary>
            public TrainingOptions Training() => new()
            {
                Steps = Steps,
                BatchSize = BatchSize,
                LearningRate = LearningRate,
                Optimizer = new SgdOptions(),
                Schedule = StepSchedule.Decay(LearningRate, 0.1, DecayAfterStep),
                Seed = Seed,
                EvaluationInterval = 10_000,
            };
        }

        /// <summary>
        /// Part 2 (MLP): block 3, E 10, 200 hidden, decay after 100k steps. Part 3 (BatchNorm MLP): the same sizes.
        /// Part 5 (WaveNet): block 8, E 24, 128 hidden, decay after 150k steps.
        /// </summary>
        public static Lecture For(MlpKind kind) => kind switch
        {
            MlpKind.Mlp => new(3, 10, 200, 100_000),
            MlpKind.BatchNormMlp => new(3, 10, 200, 100_000),
            MlpKind.WaveNet => new(8, 24, 128, 150_000),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown MLP kind."),
        };
    }

    /// <summary>Creates the estimator in <paramref name="mlContext"/> (its log, seed and cancellation reach the transforms it builds); prefer <c>mlContext.Makemore().Trainers.Mlp</c>.</summary>
    public MlpEstimator(MLContext mlContext, MlpEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal MlpEstimator(Catalogs catalogs, MlpEstimator.Options options) : base(catalogs, MlpFamilyKind.For((options ?? throw new ArgumentNullException(nameof(options))).Kind), options)
    {
    }
}

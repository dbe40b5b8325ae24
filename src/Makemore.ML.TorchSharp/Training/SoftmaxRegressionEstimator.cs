using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// Trains the lecture's neural n-gram (<see cref="SoftmaxRegression"/>) with gradient descent on TorchSharp and returns
/// a transformer that scores with the plain C# forward pass: the saved model needs no libtorch.
/// </summary>
public sealed partial class SoftmaxRegressionEstimator : LanguageModelEstimator<SoftmaxRegressionModel>
{
    /// <summary>The defaults of <see cref="SoftmaxRegressionEstimator.Options"/> and the catalog: the lecture's neural bigram.</summary>
    public static class Defaults
    {
        /// <summary>Previous characters seen: 1, the bigram.</summary>
        public const int BlockSize = 1;

        /// <summary>Strength of the L2 term: 0.01 (the lecture).</summary>
        public const double L2 = 0.01;

        /// <summary>Gradient-descent step size: 50 (the lecture).</summary>
        public const double LearningRate = 50;

        /// <summary>Gradient steps: 300, where the lecture's bigram samples have settled (figures: ≥ 262 steps). The CLI's default too.</summary>
        public const int Steps = 300;

        /// <summary>libtorch CPU threads: 1 (docs/architecture.md, "libtorch threads": more threads are much slower on small models).</summary>
        public const int Threads = TorchRuntime.DefaultThreadCount;

        /// <summary>Seed of W and of the mini-batches: 2147483647 (the lecture's generator).</summary>
        public const long Seed = Sampling.SamplingOptions.LectureSeed;

        /// <summary>Joint contexts: one row of W per whole context.</summary>
        public const ContextEncoding Context = ContextEncoding.Joint;

        /// <summary>Row indexing (E04): the one-hot matmul's numbers, faster.</summary>
        public const InputEncoding Encoding = InputEncoding.Embedding;

        /// <summary>The lecture's training: <see cref="Steps"/> full-batch steps of plain gradient descent at <see cref="LearningRate"/>, constant, seed <see cref="Seed"/>.</summary>
        public static TrainingOptions Training() => new()
        {
            Steps = Steps,
            BatchSize = null,
            LearningRate = LearningRate,
            Optimizer = new SgdOptions(),
            Schedule = new ConstantSchedule(),
            Seed = Seed,
        };
    }

    /// <summary>Creates the estimator in <paramref name="mlContext"/> (its log, seed and cancellation reach the transforms it builds); prefer <c>mlContext.Makemore().Trainers.SoftmaxRegression</c>.</summary>
    public SoftmaxRegressionEstimator(MLContext mlContext, SoftmaxRegressionEstimator.Options options) : this(Catalogs.Of(mlContext), options)
    {
    }

    internal SoftmaxRegressionEstimator(Catalogs catalogs, SoftmaxRegressionEstimator.Options options) : base(catalogs, SoftmaxKind.Instance, options)
    {
    }
}

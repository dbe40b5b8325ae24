using Makemore.ML;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Microsoft.ML;

/// <summary>Neural trainers in Makemore's catalog: <c>mlContext.Makemore().Trainers.SoftmaxRegression(...)</c>.</summary>
public static class MakemoreTorchSharpCatalog
{
    /// <summary>The lecture's neural n-gram: one-hot context · W, softmax, gradient descent, L2 as smoothing.</summary>
    /// <param name="trainers">Makemore's trainers.</param>
    /// <param name="blockSize">Previous characters seen: 1 = bigram, 2 = trigram.</param>
    /// <param name="steps">Gradient steps.</param>
    /// <param name="learningRate">Step size (the lecture: 50).</param>
    /// <param name="l2">L2 strength (the lecture: 0.01).</param>
    /// <param name="context">Joint or per-position context.</param>
    /// <param name="encoding">One-hot matmul or row indexing.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public static SoftmaxRegressionEstimator SoftmaxRegression(this MakemoreTrainers trainers, int blockSize = 1, int steps = 100,
        double learningRate = 50, double l2 = 0.01, ContextEncoding context = ContextEncoding.Joint,
        InputEncoding encoding = InputEncoding.Embedding, string idsColumnName = "Ids") =>
        new(new SoftmaxRegressionOptions
        {
            BlockSize = blockSize, Steps = steps, LearningRate = learningRate, L2 = l2, Context = context,
            Encoding = encoding, IdsColumnName = idsColumnName,
        });

    /// <summary>The lecture's neural n-gram, with all options.</summary>
    public static SoftmaxRegressionEstimator SoftmaxRegression(this MakemoreTrainers trainers, SoftmaxRegressionOptions options) => new(options);
}

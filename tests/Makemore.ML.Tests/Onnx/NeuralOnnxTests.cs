using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Tests.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Onnx;

/// <summary>
/// Softmax regression, the MLP family and interpolations exported to ONNX score every dev name as the C# model does
/// (issue 22). The weights are random with fixed seeds (training them changes nothing the export reads); the TorchSharp
/// tests check trained models of each kind too.
/// </summary>
[TestClass]
public sealed class NeuralOnnxTests
{
    private static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");

    private static SoftmaxRegressionModel RandomSoftmax(int seed, int blockSize, ContextEncoding context)
    {
        var random = new Random(seed);
        long rows = SoftmaxRegressionModel.RowCount(Vocabulary.Size, blockSize, context);
        var weights = Enumerable.Range(0, (int)(rows * Vocabulary.Size)).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        return new SoftmaxRegressionModel(Vocabulary, blockSize, context, weights);
    }

    private static void AssertParity(ILanguageModel model)
    {
        var (onnx, csharp) = OnnxParity.AssertSameLogProbabilities(model, OnnxParity.Dev);
        Assert.AreEqual(csharp, onnx, OnnxParity.Tolerance, "mean NLL per character on dev");
    }

    [TestMethod]
    [DataRow(1, ContextEncoding.Joint, DisplayName = "bigram softmax (joint, block 1)")]
    [DataRow(2, ContextEncoding.Joint, DisplayName = "trigram softmax (joint, block 2)")]
    [DataRow(3, ContextEncoding.PerPosition, DisplayName = "per-position softmax (block 3)")]
    public void SoftmaxRegressionScoresAsInCSharp(int blockSize, ContextEncoding context) => AssertParity(RandomSoftmax(7, blockSize, context));

    [TestMethod]
    public void BengioMlpScoresAsInCSharp() => AssertParity(MlpModelTests.Random(1, 3, 10, (3, 64, false)));

    [TestMethod]
    public void BatchNormMlpScoresAsInCSharp() => AssertParity(MlpModelTests.Random(2, 3, 10, (3, 64, true), (1, 32, true)));

    [TestMethod]
    public void WaveNetScoresAsInCSharp() => AssertParity(MlpModelTests.Random(3, 8, 24, (2, 32, true), (2, 32, true), (2, 32, true)));

    [TestMethod]
    public void InterpolationOfCountAndNeuralModelsScoresAsInCSharp()
    {
        var vocabulary = CharacterVocabulary.Learn(OnnxParity.Train);
        Assert.AreEqual(Vocabulary, vocabulary, "the names' vocabulary is a–z");
        var train = OnnxParity.Train.Select(n => vocabulary.Encode(n)).ToArray();
        var mixture = new InterpolatedModel(
            [NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), train), NGramModel.Fit(vocabulary, 6, Smoothing.KneserNey(), train), MlpModelTests.Random(1, 3, 10, (3, 64, true))],
            [0.2, 0.5, 0.3]);
        AssertParity(mixture);
    }
}

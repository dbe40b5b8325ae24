using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Models;

/// <summary>The MLP family on TorchSharp: the plain C# model it turns into computes the same distribution.</summary>
[TestClass]
[DoNotParallelize]
public sealed class MlpNetworkTests
{
    private static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");

    [ClassInitialize]
    public static void LoadTorch(TestContext _)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1);
    }

    [TestMethod]
    [DataRow(MlpKind.Mlp, 3, 10, 200, 11_897, DisplayName = "Bengio MLP, lecture part 2 sizes")]
    [DataRow(MlpKind.BatchNormMlp, 3, 10, 200, 12_097, DisplayName = "BatchNorm MLP, lecture part 3 sizes (12,297 less b1, which batch norm cancels)")]
    [DataRow(MlpKind.WaveNet, 8, 24, 128, 76_579, DisplayName = "WaveNet, lecture part 5 sizes")]
    [DataRow(MlpKind.BatchNormMlp, 3, 10, 100, 46_997, 5, DisplayName = "part 3's deeper network: 5 hidden layers of 100 (the lecture's 47,551 less its batch-normed read-out, plus our read-out bias)")]
    public void CSharpForwardEqualsTorchSharpForwardInEvalMode(MlpKind kind, int block, int embedding, int hidden, int parameters, int? layers = null)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(42);
        using var network = new MlpNetwork(kind, Vocabulary.Size, block, embedding, hidden, generator, layers);
        Assert.AreEqual(parameters, network.parameters().Sum(p => p.numel()));
        // Move the running statistics away from 0 and 1 with a few training-mode batches.
        network.train();
        using (no_grad())
            for (int i = 0; i < 5; i++)
                network.call(randint(Vocabulary.Size, [64, block], generator: generator));
        network.eval();
        var contexts = randint(Vocabulary.Size, [16, block], generator: generator); // (16, block)
        Tensor probabilities;
        using (no_grad())
            probabilities = nn.functional.softmax(network.call(contexts), 1); // (16, V)
        var model = network.ToModel(Vocabulary);
        Assert.AreEqual(parameters, model.ParameterCount);
        var expected = probabilities.data<float>().ToArray();
        var ids = contexts.data<long>().ToArray();
        var p = new double[Vocabulary.Size];
        for (int row = 0; row < 16; row++)
        {
            model.GetNextProbabilities(ids.AsSpan(row * block, block).ToArray().Select(x => (int)x).ToArray(), p);
            for (int c = 0; c < p.Length; c++)
                Assert.AreEqual(expected[row * Vocabulary.Size + c], p[c], 1e-4, $"row {row}, symbol {c}");
        }
        using var back = MlpNetwork.FromModel(model, kind);
        back.eval();
        using (no_grad())
            Assert.IsTrue(nn.functional.softmax(back.call(contexts), 1).allclose(probabilities, rtol: 0, atol: 1e-6), "a saved model turns back into the same network");
    }

    [TestMethod]
    public void AWaveNetNeedsAPowerOfTwoBlock()
    {
        using var generator = new Generator(1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MlpNetwork(MlpKind.WaveNet, 27, 6, 8, 16, generator));
        StringAssert.Contains(error.Message, "power of 2");
    }
}

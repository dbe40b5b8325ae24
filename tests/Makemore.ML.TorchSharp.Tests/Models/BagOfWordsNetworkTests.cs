using Makemore.ML.Tests;
using Makemore.ML.TorchSharp.Models;

namespace Makemore.ML.TorchSharp.Tests.Models;

/// <summary>makemore.py's bag-of-words model on TorchSharp and its plain C# model.</summary>
[TestClass]
[DoNotParallelize]
public sealed class BagOfWordsNetworkTests
{
    private static readonly string[] Probes = ["", "a", "emma", "isabella", "zzzzzzzzzzzzzzzzzzzz"];

    [ClassInitialize]
    public static void LoadTorch(TestContext _)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(5)]
    [DataRow(12, DisplayName = "the full block size")]
    public void CSharpForwardEqualsTorchSharpForward(int length)
    {
        using var generator = new global::TorchSharp.torch.Generator(7);
        using var network = new BagOfWordsNetwork(SequenceNetworkChecks.Vocabulary.Size, 12, generator, embeddingSize: 32, hiddenSize: 48);
        SequenceNetworkChecks.Perturb(network, generator);
        network.eval();
        SequenceNetworkChecks.CSharpForwardEqualsTorchSharpForward(network, length, generator);
    }

    [TestMethod]
    public void TheCSharpModelKeepsTheContract()
    {
        using var generator = new global::TorchSharp.torch.Generator(8);
        using var network = new BagOfWordsNetwork(SequenceNetworkChecks.Vocabulary.Size, 8, generator, embeddingSize: 16, hiddenSize: 24);
        SequenceNetworkChecks.Perturb(network, generator);
        LanguageModelContract.Verify(network.ToModel(SequenceNetworkChecks.Vocabulary), Probes, 1e-9);
    }

    [TestMethod(DisplayName = "makemore.py's default bag of words over 27 symbols, block 16: 12,827 parameters")]
    public void DefaultParameterCount()
    {
        const int V = 27, T = 16, C = 64, C2 = 64;
        const long Expected = V * C + T * C + (C * C2 + C2) + (C2 * C + C) + (V * C + V); // wte, wpe, c_fc, c_proj, lm_head
        using var generator = new global::TorchSharp.torch.Generator(1);
        using var network = new BagOfWordsNetwork(V, T, generator);
        Assert.AreEqual(Expected, network.DecayedParameters().Sum(p => p.numel()));
        Assert.AreEqual(Expected, network.ToModel(SequenceNetworkChecks.Vocabulary).ParameterCount);
    }

    [TestMethod]
    public void AdamWStepsLowerTheLoss()
    {
        using var generator = new global::TorchSharp.torch.Generator(3);
        using var network = new BagOfWordsNetwork(SequenceNetworkChecks.Vocabulary.Size, 9, generator, embeddingSize: 32, hiddenSize: 32);
        network.train();
        var (before, after) = SequenceNetworkChecks.Train(network, TestData.Tiny, 300);
        Assert.IsLessThan(before - 1.0, after, $"loss {before:F3} → {after:F3}");
    }
}

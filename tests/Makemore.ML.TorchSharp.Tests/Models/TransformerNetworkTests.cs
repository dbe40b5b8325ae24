using Makemore.ML.Tests;
using Makemore.ML.TorchSharp.Models;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Models;

/// <summary>makemore.py's Transformer on TorchSharp and its plain C# model.</summary>
[TestClass]
[DoNotParallelize]
public sealed class TransformerNetworkTests
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
        using var generator = new Generator(7);
        using var network = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, 12, generator, layerCount: 2, headCount: 4, embeddingSize: 32);
        SequenceNetworkChecks.Perturb(network, generator);
        network.eval();
        SequenceNetworkChecks.CSharpForwardEqualsTorchSharpForward(network, length, generator);
    }

    [TestMethod]
    public void TheCSharpModelKeepsTheContract()
    {
        using var generator = new Generator(8);
        using var network = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, 8, generator, layerCount: 2, headCount: 2, embeddingSize: 16);
        SequenceNetworkChecks.Perturb(network, generator);
        LanguageModelContract.Verify(network.ToModel(SequenceNetworkChecks.Vocabulary), Probes, 1e-9);
    }

    [TestMethod(DisplayName = "makemore.py's default Transformer over 27 symbols, block 16: 204,544 parameters (makemore.py prints 0.20M, lm_head left out)")]
    public void DefaultParameterCountIsMakemorePysFormula()
    {
        const int V = 27, T = 16, C = 64, Layers = 4;
        // wte + wpe + each block (ln_1, c_attn, attn c_proj, ln_2, c_fc, mlp c_proj: 12C² + 13C) + ln_f, then lm_head (no bias)
        const long Reported = V * C + T * C + Layers * (12L * C * C + 13 * C) + 2 * C;
        using var generator = new Generator(1);
        using var network = new TransformerNetwork(V, T, generator);
        Assert.AreEqual(Reported, network.ReportedParameterCount, "makemore.py's printed figure, 202,816");
        Assert.AreEqual("0.20M", $"{network.ReportedParameterCount / 1e6:F2}M");
        Assert.AreEqual(Reported + V * C, network.parameters().Sum(p => p.numel()));
        Assert.AreEqual(Reported + V * C, network.DecayedParameters().Sum(p => p.numel()), "makemore.py decays every parameter");
        var vocabulary = Makemore.ML.Text.CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");
        Assert.AreEqual(Reported + V * C, network.ToModel(vocabulary).ParameterCount);
    }

    [TestMethod]
    public void AdamWStepsLowerTheLoss()
    {
        using var generator = new Generator(3);
        using var network = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, 9, generator, layerCount: 2, headCount: 2, embeddingSize: 32);
        network.train();
        var (before, after) = SequenceNetworkChecks.Train(network, TestData.Tiny, 200);
        Assert.IsLessThan(before - 1.0, after, $"loss {before:F3} → {after:F3}");
    }

    [TestMethod]
    public void TiedWeightsReadOutThroughTheTokenEmbeddingsInTorchSharpAndInCSharp()
    {
        const int T = 8, C = 16;
        using var generator = new Generator(5);
        using var network = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, T, generator, layerCount: 2, headCount: 2, embeddingSize: C, tieWeights: true);
        using var untiedGenerator = new Generator(5);
        using var untied = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, T, untiedGenerator, layerCount: 2, headCount: 2, embeddingSize: C);
        Assert.IsTrue(network.TiedWeights);
        Assert.IsNull(network.lm_head);
        Assert.AreEqual(untied.parameters().Sum(p => p.numel()) - (long)SequenceNetworkChecks.Vocabulary.Size * C, network.parameters().Sum(p => p.numel()),
            "one V × C table fewer, and the shared one counted once (AdamW must not step it twice)");
        SequenceNetworkChecks.Perturb(network, generator);
        network.eval();
        var model = network.ToModel(SequenceNetworkChecks.Vocabulary);
        CollectionAssert.AreEqual(model.TokenEmbedding.ToArray(), model.HeadWeight.ToArray(), "the C# read-out is the embedding table");
        SequenceNetworkChecks.CSharpForwardEqualsTorchSharpForward(network, 5, generator);
        network.train();
        var (before, after) = SequenceNetworkChecks.Train(network, TestData.Tiny, 200);
        Assert.IsLessThan(before - 1.0, after, $"a tied network learns too: loss {before:F3} → {after:F3}");
    }

    [TestMethod]
    public void ASequenceLongerThanTheBlockIsRefused()
    {
        using var generator = new Generator(1);
        using var network = new TransformerNetwork(27, 4, generator, layerCount: 1, headCount: 1, embeddingSize: 8);
        Assert.ThrowsExactly<ArgumentException>(() => network.Forward(zeros(1, 5, dtype: int64)));
    }

    [TestMethod]
    public void DropoutLeavesTheInitialWeightsAndEvalModeUnchangedAndIsActiveOnlyWhileTraining()
    {
        using var plainGenerator = new Generator(11);
        using var plain = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, 9, plainGenerator, layerCount: 2, headCount: 2, embeddingSize: 16);
        using var droppingGenerator = new Generator(11);
        using var dropping = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, 9, droppingGenerator, layerCount: 2, headCount: 2, embeddingSize: 16, dropout: 0.3);
        foreach (var (a, b) in plain.parameters().Zip(dropping.parameters()))
            Assert.IsTrue(a.allclose(b, 0, 0), "dropout draws its seed after the weights: the same initial network");
        using var ids = tensor(new long[] { 0, 5, 13, 13, 1, 0, 0, 0, 0 }).reshape(1, 9); // (B=1, T=9)
        plain.eval();
        dropping.eval();
        using (var expected = plain.Forward(ids))
        using (var actual = dropping.Forward(ids))
            Assert.IsTrue(expected.allclose(actual, 0, 0), "eval mode never drops");
        dropping.train();
        using var first = dropping.Forward(ids);
        using var second = dropping.Forward(ids);
        Assert.IsFalse(first.allclose(second), "two training-mode passes draw different masks");
    }

    [TestMethod]
    public void DropoutIsReproducibleFromTheSeed()
    {
        double[] Losses()
        {
            using var generator = new Generator(5);
            using var network = new TransformerNetwork(SequenceNetworkChecks.Vocabulary.Size, 9, generator, layerCount: 1, headCount: 2, embeddingSize: 16, dropout: 0.2);
            network.train();
            var (before, after) = SequenceNetworkChecks.Train(network, TestData.Tiny, 20);
            return [before, after];
        }
        CollectionAssert.AreEqual(Losses(), Losses(), "the masks come from the network's own generator, seeded from the weights' one");
    }

    [TestMethod]
    [DataRow(-0.1)]
    [DataRow(1.0)]
    [DataRow(double.NaN)]
    public void ADropoutOutsideZeroToOneIsRefused(double dropout)
    {
        using var generator = new Generator(1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TransformerNetwork(27, 4, generator, 1, 1, 8, dropout));
    }
}

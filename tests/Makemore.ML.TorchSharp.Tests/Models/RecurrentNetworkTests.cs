using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Models;

/// <summary>The recurrent networks on TorchSharp: sizes as makemore.py's, the plain C# model computes the same distributions.</summary>
[TestClass]
[DoNotParallelize]
public sealed class RecurrentNetworkTests
{
    private static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");

    [ClassInitialize]
    public static void LoadTorch(TestContext _)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(1);
    }

    // makemore.py's defaults (n_embd 64, n_embd2 64, V 27): start 64 + wte 27·64 + cell + lm_head 64·27 + 27.
    [TestMethod]
    [DataRow(RecurrentCell.Rnn, 64 + 1_728 + 128 * 64 + 64 + 1_755, DisplayName = "RNN: one (E + H → H) map")]
    [DataRow(RecurrentCell.Gru, 64 + 1_728 + 3 * (128 * 64 + 64) + 1_755, DisplayName = "GRU: three (E + H → H) maps")]
    [DataRow(RecurrentCell.Lstm, 2 * 64 + 1_728 + 128 * 256 + 256 + 1_755, DisplayName = "LSTM: one (E + H → 4H) map, start h and c")]
    public void ParameterCountIsMakemoreDefaults(RecurrentCell cell, int parameters)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3407);
        using var network = new RecurrentNetwork(cell, Vocabulary.Size, 16, 64, 64, generator);
        Assert.AreEqual(parameters, network.parameters().Sum(p => p.numel()));
        Assert.AreEqual(parameters, network.ToModel(Vocabulary).ParameterCount);
    }

    [TestMethod]
    [DataRow(RecurrentCell.Rnn)]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Lstm)]
    public void CSharpForwardEqualsTorchSharpForward(RecurrentCell cell)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(42);
        using var network = new RecurrentNetwork(cell, Vocabulary.Size, 12, 8, 16, generator);
        // Train the start state away from zero so that the test sees it.
        using (no_grad())
            foreach (var p in network.parameters())
                p.add_(randn(p.shape, generator: generator) * 0.3);
        network.eval();
        string[] names = ["emma", "a", "isabella", "zzzzzzzzzzz"];
        var examples = SequenceExamples.Build(names.Select(n => Vocabulary.Encode(n)).ToList(), 12);
        var (rows, _, width) = examples.Gather([0, 1, 2, 3]);
        Assert.AreEqual(12, width, "the longest name, 11 characters, and the end token");
        var inputs = tensor(rows, [examples.Count, 12]); // (4, 12)
        float[] expected;
        using (no_grad())
            expected = nn.functional.log_softmax(network.Forward(inputs), 2).data<float>().ToArray(); // (4, 12, V)
        var model = network.ToModel(Vocabulary);
        int v = Vocabulary.Size;
        for (int row = 0; row < names.Length; row++)
        {
            int[] ids = Vocabulary.Encode(names[row]);
            var logp = new double[ids.Length + 1];
            model.LogProbabilities(ids, logp);
            for (int t = 0; t <= ids.Length; t++)
            {
                int target = t < ids.Length ? ids[t] : 0;
                Assert.AreEqual(expected[(row * 12 + t) * v + target], logp[t], 1e-4, $"{cell} '{names[row]}' position {t}");
            }
        }
    }

    [TestMethod]
    public void SequenceExamplesAreMakemoreCharDataset()
    {
        var examples = SequenceExamples.Build([[5, 13], [1]], null);
        Assert.AreEqual(3, examples.BlockSize, "the longest item + 1");
        var (inputs, targets, width) = examples.Gather([0, 1]);
        Assert.AreEqual(3, width);
        CollectionAssert.AreEqual(new long[] { 0, 5, 13, 0, 1, 0 }, inputs);
        CollectionAssert.AreEqual(new long[] { 5, 13, 0, 1, 0, -1 }, targets);
        Assert.AreEqual(5, examples.PredictedCount);
        // A batch is cut to its own longest item, and its rows come in the order asked for.
        (inputs, targets, width) = examples.Gather([1, 1]);
        Assert.AreEqual(2, width, "one character and the end token");
        CollectionAssert.AreEqual(new long[] { 0, 1, 0, 1 }, inputs);
        CollectionAssert.AreEqual(new long[] { 1, 0, 1, 0 }, targets);
        Assert.ThrowsExactly<ArgumentException>(() => SequenceExamples.Build([[1, 2, 3]], 3), "3 characters and the end token need 4");
    }

    [TestMethod]
    public void SequenceNllIgnoresUnpredictedPositionsAndWeighsByCharacters()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var logits = randn([2, 3, 5], generator: generator); // (2, 3, 5)
        var targets = tensor(new long[] { 1, 2, 0, 3, -1, -1 }, [2, 3]);
        var perPosition = (-nn.functional.log_softmax(logits, 2)).data<float>().ToArray(); // (6 positions · 5)
        double expected = (perPosition[0 * 5 + 1] + perPosition[1 * 5 + 2] + perPosition[2 * 5 + 0] + perPosition[3 * 5 + 3]) / 4;
        Assert.AreEqual(expected, Loss.SequenceNll(logits, targets).item<float>(), 1e-5, "mean over the 4 predicted characters");
        Assert.AreEqual(expected, Loss.SequenceNll(logits, targets, ones(2)).item<float>(), 1e-5, "unit weights change nothing");
        double weighted = (perPosition[0 * 5 + 1] + perPosition[1 * 5 + 2] + perPosition[2 * 5 + 0] + 3 * perPosition[3 * 5 + 3]) / 6;
        Assert.AreEqual(weighted, Loss.SequenceNll(logits, targets, tensor(new float[] { 1, 3 })).item<float>(), 1e-5, "weights count items");
    }
}

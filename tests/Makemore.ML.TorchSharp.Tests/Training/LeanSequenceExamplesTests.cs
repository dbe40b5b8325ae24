using Makemore.ML.Data;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// Sequence examples kept as ids (one byte per character) and built batch by batch, each batch cut to its longest item
/// (issue 23): they train exactly as the whole rows of width T that makemore.py's <c>CharDataset</c> gives.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class LeanSequenceExamplesTests
{
    private static readonly IReadOnlyList<string> Names = NameList.Read(TestData.BundledNamesPath);

    [TestMethod]
    [DataRow(SequenceModelKind.Gru)]
    [DataRow(SequenceModelKind.Transformer)]
    public void BatchesCutToTheirLongestItemTrainAsWholeRows(SequenceModelKind kind)
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(400).Select(n => vocabulary.Encode(n)).ToList();
        var dev = Names.Skip(400).Take(150).Select(n => vocabulary.Encode(n)).ToList();
        // A block well beyond the longest name, so that whole rows carry many positions that predict nothing.
        int block = SequenceExamples.DefaultBlockSize([.. train, .. dev]) + 6;
        var lean = Train(kind, vocabulary.Size, block, new ExampleSet(SequenceExamples.Build(train, block)), new ExampleSet(SequenceExamples.Build(dev, block)));
        var whole = Train(kind, vocabulary.Size, block, WholeRows(train, block), WholeRows(dev, block));
        Assert.AreEqual(whole.History.Count, lean.History.Count);
        for (int i = 0; i < whole.History.Count; i++)
        {
            // The same rows are drawn and the loss sees the same positions: equal to the last bit.
            Assert.AreEqual(whole.History[i].Loss, lean.History[i].Loss, 0.0, $"step {i + 1}'s loss");
            // Dev runs in other chunks (like lengths together), so only the float sums' order differs.
            if (whole.History[i].DevLoss is double expected)
                Assert.AreEqual(expected, lean.History[i].DevLoss!.Value, 1e-5, $"step {i + 1}'s dev loss");
        }
    }

    [TestMethod]
    public void ItemsTakeOneBytePerCharacterAndChunksCoverEveryItemOnce()
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var items = Names.Take(5000).Select(n => vocabulary.Encode(n)).ToList();
        long characters = items.Sum(i => (long)i.Length);
        var examples = SequenceExamples.Build(items, 100);
        Assert.AreEqual(characters + 8L * (items.Count + 1), examples.Bytes, "one byte per character and one start per item");
        Assert.AreEqual(characters + items.Count, examples.PredictedCount);
        var seen = new List<long>();
        foreach (long[] chunk in examples.ChunksByLength(64))
        {
            int width = chunk.Max(r => examples.LengthOf((int)r)) + 1;
            Assert.IsTrue(chunk.Length == 1 || chunk.Length * width <= 64, $"a chunk of {chunk.Length} rows of width {width}");
            seen.AddRange(chunk);
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, items.Count).Select(i => (long)i).ToArray(), seen.ToArray());
        // Ids beyond a byte are kept whole.
        var wide = SequenceExamples.Build([[300, 70_000], [1]]);
        var (inputs, targets, width2) = wide.Gather([0]);
        Assert.AreEqual(3, width2);
        CollectionAssert.AreEqual(new long[] { 0, 300, 70_000 }, inputs);
        CollectionAssert.AreEqual(new long[] { 300, 70_000, 0 }, targets);
    }

    private static Makemore.ML.Training.TrainingResult Train(SequenceModelKind kind, int symbols, int block, ExampleSet train, ExampleSet dev)
    {
        using var scope = NewDisposeScope();
        var options = new SequenceModelEstimator.Options { Kind = kind, EmbeddingSize = 16, HiddenSize = 16, LayerCount = 2, HeadCount = 2 };
        using var generator = new Generator(7);
        var network = SequenceNetworks.Create(options, symbols, block, generator);
        var model = new TrainableModel(network.Module, (x, y, w) =>
        {
            long t = y.ge(0).sum(1).max().item<long>();
            return LossTerms.Of(Loss.SequenceNll(network.Forward(x.narrow(1, 0, t)), y.narrow(1, 0, t), w));
        });
        return TrainingLoop.Run(model, train, new TrainingOptions { Steps = 30, EvaluationInterval = 10, LearningRate = 1e-2, EvaluationChunkSize = 256 }, dev);
    }

    // makemore.py's CharDataset rows, all of width T: (n, T) int64 inputs and targets.
    private static ExampleSet WholeRows(IReadOnlyList<int[]> items, int block)
    {
        var inputs = new long[items.Count * block];
        var targets = new long[items.Count * block];
        Array.Fill(targets, -1);
        for (int row = 0; row < items.Count; row++)
        {
            for (int i = 0; i < items[row].Length; i++)
            {
                inputs[row * block + i + 1] = items[row][i];
                targets[row * block + i] = items[row][i];
            }
            targets[row * block + items[row].Length] = 0;
        }
        return new ExampleSet(tensor(inputs, [items.Count, block]), tensor(targets, [items.Count, block]));
    }
}

using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Makemore.ML.Inference;
using Makemore.ML.Tests.Onnx;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.TorchSharp.Tests.Onnx;

/// <summary>
/// The sequence kinds (rnn, gru, lstm, bow, transformer), trained for a few steps and exported to ONNX, score every dev
/// name in ONNX Runtime as their C# models do (issue 22): ln p of every predicted symbol within 1e-5, in batches of names
/// of mixed lengths padded after their ends; past the block size, the bag of words and the Transformer slide their window
/// as the C# models do.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SequenceOnnxTests
{
    private static readonly Dictionary<SequenceModelKind, ILanguageModel> Trained = [];

    // A small model of each kind, 60 steps on the lecture split's train names (seconds): far from uniform, far from done.
    private static ILanguageModel Train(SequenceModelKind kind)
    {
        if (Trained.TryGetValue(kind, out var trained))
            return trained;
        var vocabulary = CharacterVocabulary.Learn(OnnxParity.Train);
        var train = OnnxParity.Train.Select(n => vocabulary.Encode(n)).ToList();
        var options = new SequenceModelEstimator.Options
        {
            Kind = kind,
            EmbeddingSize = 16,
            HiddenSize = 32,
            LayerCount = 2,
            HeadCount = 4,
            Training = new TrainingOptions { Steps = 60, EvaluationInterval = 60, LearningRate = 1e-2 },
        };
        return Trained[kind] = new SequenceModelEstimator(new MLContext(seed: 1), options).Train(vocabulary, train).Model;
    }

    [TestMethod]
    [DataRow(SequenceModelKind.Rnn)]
    [DataRow(SequenceModelKind.Gru)]
    [DataRow(SequenceModelKind.Lstm)]
    [DataRow(SequenceModelKind.BagOfWords)]
    [DataRow(SequenceModelKind.Transformer)]
    public void DevNamesScoreAsInCSharp(SequenceModelKind kind)
    {
        var model = Train(kind);
        var (onnx, csharp) = OnnxParity.AssertSameLogProbabilities(model, OnnxParity.Dev);
        Assert.AreEqual(csharp, onnx, OnnxParity.Tolerance, $"{kind}: mean NLL per character on dev");
        Assert.IsLessThan(Math.Log(model.Vocabulary.Size) - 0.3, csharp, $"{kind}: the model learned something (dev NLL {csharp:F4}), so the check is not of a near-uniform model");
    }

    [TestMethod]
    [DataRow(SequenceModelKind.Rnn)]
    [DataRow(SequenceModelKind.Gru)]
    [DataRow(SequenceModelKind.Lstm)]
    [DataRow(SequenceModelKind.BagOfWords)]
    [DataRow(SequenceModelKind.Transformer)]
    public void NamesLongerThanTheBlockScoreAsInCSharp(SequenceModelKind kind)
    {
        // Three dev names joined: 16–45 characters against a block of 16 positions (the longest train name + 1), and
        // the lengths at the edges: empty, one character, and one either side of the block.
        var model = Train(kind);
        var dev = OnnxParity.Dev;
        int block = OnnxParity.Train.Max(n => n.Length) + 1;
        var joined = Enumerable.Range(0, dev.Count - 2).Select(i => dev[i] + dev[i + 1] + dev[i + 2]).Where(n => n.Length >= block).Take(300).ToList();
        Assert.HasCount(300, joined);
        string text = string.Concat(joined);
        joined.AddRange(new[] { 0, 1, block - 2, block - 1, block, block + 1, 3 * block }.Select(length => text[..length]));
        var (onnx, csharp) = OnnxParity.AssertSameLogProbabilities(model, joined, batchSize: 64);
        Assert.AreEqual(csharp, onnx, OnnxParity.Tolerance, $"{kind}: mean NLL per character of the long names");
        foreach (string name in joined.TakeLast(7)) // each alone too: a batch of one, no padding
            OnnxParity.AssertSameLogProbabilities(model, [name]);
    }

    [TestMethod]
    public void AnInterpolationOfSequenceKindsScoresAsInCSharp()
    {
        // Each component's graph in its own scope, mixed in float64: a GRU, a bag of words and a Transformer.
        var model = new InterpolatedModel([Train(SequenceModelKind.Gru), Train(SequenceModelKind.BagOfWords), Train(SequenceModelKind.Transformer)], [0.3, 0.2, 0.5]);
        var (onnx, csharp) = OnnxParity.AssertSameLogProbabilities(model, OnnxParity.Dev);
        Assert.AreEqual(csharp, onnx, OnnxParity.Tolerance, "mean NLL per character on dev");
    }

    [TestMethod]
    [DataRow(SequenceModelKind.Lstm, "recurrent", "unbounded")]
    [DataRow(SequenceModelKind.BagOfWords, "bow", "16")]
    [DataRow(SequenceModelKind.Transformer, "transformer", "16")]
    public void MetadataNamesTheKindAndTheWindow(SequenceModelKind kind, string expectedKind, string expectedBlockSize)
    {
        using var session = new InferenceSession(OnnxParity.Export(Train(kind)));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.AreEqual(expectedKind, metadata["kind"]);
        Assert.AreEqual(expectedBlockSize, metadata["block_size"]);
    }
}

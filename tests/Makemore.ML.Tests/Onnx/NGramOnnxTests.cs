using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Onnx;

/// <summary>Count models exported to ONNX score every dev name as the C# model does (issue 22).</summary>
[TestClass]
public sealed class NGramOnnxTests
{
    private static NGramModel Fit(int order, Smoothing smoothing)
    {
        var vocabulary = CharacterVocabulary.Learn(OnnxParity.Train);
        return NGramModel.Fit(vocabulary, order, smoothing, OnnxParity.Train.Select(n => vocabulary.Encode(n)));
    }

    // Orders 1–4 over 27 symbols have V^n ≤ 2^20 and export the dense table (one Gather); 5–8 the per-order lookups.
    [TestMethod]
    [DataRow(1, "none")]
    [DataRow(1, "kneser-ney")]
    [DataRow(2, "none", DisplayName = "bigram unsmoothed (dense)")]
    [DataRow(2, "kneser-ney:0.75")]
    [DataRow(3, "add-k:0.5")]
    [DataRow(3, "kneser-ney")]
    [DataRow(4, "add-one")]
    [DataRow(4, "kneser-ney")]
    [DataRow(5, "add-k:0.1", DisplayName = "5-gram add-k (sparse)")]
    [DataRow(5, "kneser-ney:0.75")]
    [DataRow(6, "none", DisplayName = "6-gram unsmoothed (sparse, −∞ for unseen)")]
    [DataRow(6, "kneser-ney", DisplayName = "6-gram Kneser–Ney (sparse, backoff)")]
    [DataRow(7, "add-one")]
    [DataRow(7, "kneser-ney")]
    [DataRow(8, "add-k:0.01")]
    [DataRow(8, "kneser-ney", DisplayName = "8-gram Kneser–Ney (the highest order)")]
    public void DevNamesScoreAsInCSharp(int order, string smoothing)
    {
        var model = Fit(order, Smoothing.Parse(smoothing));
        var (onnx, csharp) = OnnxParity.AssertSameLogProbabilities(model, OnnxParity.Dev);
        if (double.IsFinite(csharp))
            Assert.AreEqual(csharp, onnx, OnnxParity.Tolerance, "mean NLL per character on dev");
        else
            Assert.AreEqual(csharp, onnx, "an unsmoothed model gives unseen dev n-grams probability 0 in both");
    }

    [TestMethod]
    public void MetadataFollowsTheContract()
    {
        var model = Fit(3, Smoothing.KneserNey());
        using var session = new InferenceSession(OnnxParity.Export(model, new Dictionary<string, string>
        {
            ["data_sha256"] = "abc",
            [PlausibilityTable.MetadataKey] = "1,2,3",
        }));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var symbols = System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata["vocabulary"])!;
        CollectionAssert.AreEqual(model.Vocabulary.Symbols.Skip(1).Select(c => c.ToString()).ToArray(), symbols);
        Assert.AreEqual("1", metadata["makemore_onnx_contract"]);
        Assert.AreEqual("ngram", metadata["kind"]);
        Assert.AreEqual("2", metadata["block_size"]);
        Assert.AreEqual("abc", metadata["data_sha256"], "the model file's metadata (provenance) is carried");
        Assert.IsFalse(metadata.ContainsKey(PlausibilityTable.MetadataKey), "the plausibility table is not carried");
        Assert.AreEqual("idx", session.InputMetadata.Keys.Single());
        Assert.AreEqual("log_probs", session.OutputMetadata.Keys.Single());
        CollectionAssert.AreEqual(new[] { -1, -1, model.Vocabulary.Size }, session.OutputMetadata["log_probs"].Dimensions);
    }

    [TestMethod]
    public void TheSameModelGivesTheSameBytes()
    {
        var model = Fit(6, Smoothing.KneserNey());
        CollectionAssert.AreEqual(OnnxParity.Export(model), OnnxParity.Export(Fit(6, Smoothing.KneserNey())));
    }

    [TestMethod]
    public void ModelsWithoutAnExporterAreRefusedByKind()
    {
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<NotSupportedException>(() =>
            new MLContext().Makemore().ExportToOnnx(new Uniform(CharacterVocabulary.FromCharacters("ab")), stream));
        StringAssert.Contains(error.Message, nameof(Uniform));
        Assert.AreEqual(0L, stream.Length, "nothing is written");
    }

    private sealed class Uniform(CharacterVocabulary vocabulary) : WindowLanguageModel
    {
        public override CharacterVocabulary Vocabulary => vocabulary;

        public override int BlockSize => 1;

        public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities) => probabilities.Fill(1.0 / vocabulary.Size);

        public override IReadOnlyList<KeyValuePair<string, string>> Describe() => [];
    }
}

using Microsoft.ML.OnnxRuntime;
using Makemore.ML.Counting;
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

    [TestMethod]
    [DataRow(1, "add-k:1", DisplayName = "unigram add-one (dense table)")]
    [DataRow(2, "add-k:1", DisplayName = "bigram add-one (dense table)")]
    [DataRow(3, "kneser-ney", DisplayName = "trigram Kneser–Ney (dense table)")]
    [DataRow(5, "add-k:0.1", DisplayName = "5-gram add-k (sparse lookups)")]
    [DataRow(6, "kneser-ney", DisplayName = "6-gram Kneser–Ney (sparse lookups, backoff)")]
    public void DevNamesScoreAsInCSharp(int order, string smoothing)
    {
        var model = Fit(order, Smoothing.Parse(smoothing));
        var (onnx, csharp) = OnnxParity.AssertSameLogProbabilities(model, OnnxParity.Dev);
        Assert.AreEqual(csharp, onnx, OnnxParity.Tolerance, "mean NLL per character on dev");
    }

    [TestMethod]
    public void MetadataFollowsTheContract()
    {
        var model = Fit(3, Smoothing.KneserNey());
        using var session = new InferenceSession(OnnxParity.Export(model, new Dictionary<string, string> { ["data_sha256"] = "abc" }));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var symbols = System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata["vocabulary"])!;
        CollectionAssert.AreEqual(model.Vocabulary.Symbols.Skip(1).Select(c => c.ToString()).ToArray(), symbols);
        Assert.AreEqual("ngram", metadata["kind"]);
        Assert.AreEqual("2", metadata["block_size"]);
        Assert.AreEqual("abc", metadata["data_sha256"]);
        Assert.AreEqual("idx", session.InputMetadata.Keys.Single());
        Assert.AreEqual("log_probs", session.OutputMetadata.Keys.Single());
    }
}

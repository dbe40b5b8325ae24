using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// A neural (softmax-regression) model saves, loads and scores through the same façade as the count models, in a
/// process that never loads TorchSharp or libtorch (this test project does not reference them).
/// </summary>
[TestClass]
public sealed class SoftmaxScoringWithoutLibTorchTests
{
    private static SoftmaxRegressionModel RandomModel(CharacterVocabulary vocabulary, int block, ContextEncoding context, int seed)
    {
        var random = new Random(seed);
        long n = SoftmaxRegressionModel.RowCount(vocabulary.Size, block, context) * vocabulary.Size;
        var w = new float[n];
        for (long i = 0; i < n; i++)
            w[i] = (float)(random.NextDouble() * 4 - 2);
        return new SoftmaxRegressionModel(vocabulary, block, context, w);
    }

    [TestMethod]
    [DataRow(1, ContextEncoding.Joint)]
    [DataRow(2, ContextEncoding.Joint)]
    [DataRow(3, ContextEncoding.PerPosition)]
    public void SavedSoftmaxModelScoresIdenticallyAfterLoad(int block, ContextEncoding context)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadNames(TestData.Tiny);
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(data);
        var model = RandomModel(ids.Vocabulary, block, context, seed: block);
        var scorer = LanguageModelTransformer.Create(new MLContext(), model, "Ids", ids.Transform(data));
        var chain = new TransformerChain<ITransformer>(ids, scorer);
        string path = Path.Combine(Path.GetTempPath(), $"makemore-softmax-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(chain, data.Schema, path);
            var loaded = new MLContext().Model.Load(path, out _);
            var before = new MLContext().Model.CreatePredictionEngine<NameInput, NameScore>(chain);
            var after = new MLContext().Model.CreatePredictionEngine<NameInput, NameScore>(loaded);
            foreach (string name in TestData.Tiny)
            {
                var expected = SequenceScorer.Score(model, ids.Vocabulary.Encode(name));
                Assert.AreEqual(expected.LogLikelihood, before.Predict(new NameInput { Name = name }).LogLikelihood, 0.0);
                Assert.AreEqual(expected.LogLikelihood, after.Predict(new NameInput { Name = name }).LogLikelihood, 0.0, "bit-identical after load");
            }
            var recovered = (SoftmaxRegressionModel)MakemoreModel.GetLanguageModel(loaded);
            Assert.IsTrue(model.Weights.SequenceEqual(recovered.Weights));
            CollectionAssert.AreEqual(new NameGenerator(model).Generate(5).ToArray(), NameGenerator.From(loaded).Generate(5).ToArray(),
                "the loaded model samples as the one it was saved from");
        }
        finally
        {
            File.Delete(path);
        }
        Assert.IsFalse(AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.StartsWith("TorchSharp", StringComparison.Ordinal) == true),
            "TorchSharp was loaded");
        Assert.IsFalse(Process.GetCurrentProcess().Modules.Cast<ProcessModule>().Any(m => m.ModuleName.Contains("torch", StringComparison.OrdinalIgnoreCase)),
            "a libtorch native library was loaded");
    }

    [TestMethod]
    public void OneHotTimesWIsARowLookup()
    {
        // E04: for a joint bigram, the logits of context c are row c of W.
        var vocabulary = CharacterVocabulary.FromCharacters("abc");
        var model = RandomModel(vocabulary, 1, ContextEncoding.Joint, seed: 3);
        var p = new double[4];
        model.GetNextProbabilities([2], p);
        var row = model.Weights.Slice(2 * 4, 4).ToArray();
        double z = row.Sum(x => Math.Exp(x));
        for (int c = 0; c < 4; c++)
            Assert.AreEqual(Math.Exp(row[c]) / z, p[c], 1e-12);
    }

    [TestMethod]
    public void WrongWeightCountIsRefused()
    {
        var vocabulary = CharacterVocabulary.FromCharacters("abc");
        var error = Assert.ThrowsExactly<ArgumentException>(() => new SoftmaxRegressionModel(vocabulary, 2, ContextEncoding.Joint, new float[10]));
        StringAssert.Contains(error.Message, "16 × 4 = 64");
    }
}

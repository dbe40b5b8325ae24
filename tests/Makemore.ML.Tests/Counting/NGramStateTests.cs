using Makemore.ML.Counting;
using Makemore.ML.Persistence;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// The saved state of a count model: format 2 (every order's counts, varint-coded) loads into the same levels, bit for
/// bit, and so does a format-1 state (the top order's counts as fixed-width pairs) written by earlier versions.
/// </summary>
[TestClass]
public sealed class NGramStateTests
{
    private static void AssertSameLevels(NGramModel expected, NGramModel actual)
    {
        Assert.AreEqual(expected.Levels.Count, actual.Levels.Count);
        for (int n = 0; n < expected.Levels.Count; n++)
        {
            CollectionAssert.AreEqual(expected.Levels[n].Keys.Array, actual.Levels[n].Keys.Array, $"keys of level {n + 1}");
            CollectionAssert.AreEqual(expected.Levels[n].Probabilities, actual.Levels[n].Probabilities, $"probabilities of level {n + 1}");
            CollectionAssert.AreEqual(expected.Levels[n].ContextKeys(), actual.Levels[n].ContextKeys(), $"contexts of level {n + 1}");
            CollectionAssert.AreEqual(expected.Levels[n].Weights, actual.Levels[n].Weights, $"weights of level {n + 1}");
        }
        CollectionAssert.AreEqual(expected.TopCounts.Counts, actual.TopCounts.Counts);
    }

    private static NGramModel Fit(string smoothing, int order)
    {
        var names = TestData.BundledNames();
        var vocabulary = CharacterVocabulary.Learn(names);
        return NGramModel.Fit(vocabulary, order, Smoothing.Parse(smoothing), names.Select(n => vocabulary.Encode(n)).ToArray());
    }

    [TestMethod]
    [DataRow("kneser-ney", 6)]
    [DataRow("kneser-ney:0.75", 4)]
    [DataRow("add-k:0.5", 5)]
    public void Format2LoadsTheSameLevels(string smoothing, int order)
    {
        var model = Fit(smoothing, order);
        var loaded = (NGramModel)ModelState.GetModel(ModelState.EncodeModel(model).AsMemory());
        AssertSameLevels(model, loaded);
    }

    [TestMethod]
    public void Format1StillLoadsTheSameLevels()
    {
        var model = Fit("kneser-ney", 5);
        // Format 1 as earlier versions wrote it: the header of format 2, then the top order's (key, count) pairs.
        string state = ModelState.Encode("ngram", 1, writer =>
        {
            model.Vocabulary.Write(writer);
            writer.Write(model.Order);
            writer.Write((byte)2);
            writer.Write(false);
            writer.Write(model.TopCounts.Distinct);
            for (int i = model.TopCounts.Distinct - 1; i >= 0; i--) // any order: format 1 sorts them at load
            {
                writer.Write(model.TopCounts.Keys[i]);
                writer.Write(model.TopCounts.Counts[i]);
            }
        });
        AssertSameLevels(model, (NGramModel)ModelState.GetModel(state.AsMemory()));
    }
}

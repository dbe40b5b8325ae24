using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

[TestClass]
public sealed class PlausibilityTests
{
    private static NGramModel Fit(IReadOnlyList<string> names, int order)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        return NGramModel.Fit(vocabulary, order, Smoothing.KneserNey(), names.Select(n => vocabulary.Encode(n)));
    }

    [TestMethod]
    public void PercentileIsTheShareOfTrainingNamesLessPlausible()
    {
        var names = NameList.Read(TestData.BundledNamesPath).Take(5_000).ToList();
        var model = Fit(names, 3);
        var table = PlausibilityTable.FromNames(model, names);
        Assert.AreEqual(names.Count, table.NameCount);
        Assert.HasCount(PlausibilityTable.Defaults.QuantileCount, table.Quantiles);
        var nll = names.Select(n => SequenceScorer.Score(model, model.Vocabulary.Encode(n)).NllPerCharacter).ToArray();
        foreach (string name in new[] { "emma", "xavier", "bob", "zzyzx", "anna" })
        {
            double x = SequenceScorer.Score(model, model.Vocabulary.Encode(name)).NllPerCharacter;
            double lessPlausible = 100.0 * nll.Count(v => v > x) / nll.Length;
            Assert.AreEqual(lessPlausible, table.Percentile(x), 0.5, $"{name}: the table's percentile is the share of training names with a higher NLL/char");
        }
        Assert.AreEqual(100, table.Percentile(table.Quantiles[0] - 1));
        Assert.AreEqual(0, table.Percentile(double.PositiveInfinity));
    }

    [TestMethod]
    public void TheTableIsSavedAtFitAndReadBackAfterLoad()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadNames(TestData.Tiny);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(3, Smoothing.KneserNey())).Fit(data);
        var fitted = PlausibilityTable.From(model);
        Assert.IsNotNull(fitted, "a model trained through the library carries the table");
        Assert.AreEqual(TestData.Tiny.Length, fitted.NameCount);
        var expected = PlausibilityTable.FromNames(MakemoreModel.GetLanguageModel(model), TestData.Tiny);
        CollectionAssert.AreEqual(expected.Quantiles.ToList(), fitted.Quantiles.ToList());
        string path = Path.Combine(Path.GetTempPath(), $"plausibility-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            var scorer = NameScorer.From(loaded);
            Assert.IsNotNull(scorer.Plausibility);
            foreach (string name in new[] { "emma", "ava", "lilo", "ppp" })
                Assert.AreEqual(fitted.Percentile(scorer.Score(name).NllPerCharacter), scorer.Judge(name).Percentile);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AModelWithoutATableHasNoPercentile()
    {
        Assert.IsNull(PlausibilityTable.FromMetadata(new Dictionary<string, string> { ["data"] = "names.txt" }));
        var judged = new NameScorer(Fit(TestData.Tiny, 2)).Judge("emma");
        Assert.IsNull(judged.Percentile);
        Assert.IsLessThan(0, judged.Score.LogLikelihood);
    }

    [TestMethod]
    public void AFileSavedBeforeTablesExistedLoadsWithoutAPercentile()
    {
        // The saved form of a model is its inner chain; built from a state without the table, it is what older versions wrote.
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadNames(TestData.Tiny);
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(data);
        var model = Fit(TestData.Tiny, 2);
        var inner = LanguageModelTransformer.Chain(Catalogs.Of(new MLContext()), Makemore.ML.Persistence.ModelState.EncodeModel(model, new Dictionary<string, string> { ["data"] = "tiny" }), "Ids")
            .Fit(ids.Transform(data));
        string path = Path.Combine(Path.GetTempPath(), $"no-table-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Makemore().Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(ids, inner), data.Schema, path);
            var loaded = ml.Makemore().Load(path, out _);
            Assert.AreEqual("tiny", MakemoreModel.GetMetadata(loaded)["data"]);
            Assert.IsNull(PlausibilityTable.From(loaded));
            var judged = NameScorer.From(loaded).Judge("emma");
            Assert.IsNull(judged.Percentile);
            Assert.AreEqual(new NameScorer(model).Score("emma").LogLikelihood, judged.Score.LogLikelihood);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TextRoundTripsAndDamageIsAFormatError()
    {
        var table = PlausibilityTable.FromNames(Fit(TestData.Tiny, 2), TestData.Tiny, quantileCount: 11);
        var back = PlausibilityTable.Parse(table.ToMetadataValue());
        CollectionAssert.AreEqual(table.Quantiles.ToList(), back.Quantiles.ToList());
        Assert.AreEqual(table.NameCount, back.NameCount);
        Assert.ThrowsExactly<FormatException>(() => PlausibilityTable.Parse("v2;3;1 2"));
        Assert.ThrowsExactly<FormatException>(() => PlausibilityTable.Parse("v1;3;2 1"), "descending quantiles");
    }

    [TestMethod]
    public void CaseFoldingAndTheUnknownPolicyAreExplicit()
    {
        var model = Fit(TestData.Tiny, 3);
        Assert.ThrowsExactly<FormatException>(() => new NameScorer(model).Score("Emma"), "as written: 'E' is not in the vocabulary");
        var folded = new NameScorer(model, options: new NameScorerOptions { FoldCase = true });
        Assert.AreEqual(new NameScorer(model).Score("emma").LogLikelihood, folded.Score("EMMA").LogLikelihood);
        var skipping = new NameScorer(model, options: new NameScorerOptions { UnknownCharacters = UnknownCharacterPolicy.Skip });
        Assert.AreEqual("emma", skipping.Judge("em2ma!").ScoredAs);
        var strict = new NameScorer(model, options: new NameScorerOptions { UnknownCharacters = UnknownCharacterPolicy.Error });
        var e = Assert.ThrowsExactly<FormatException>(() => strict.Score("em2ma"));
        StringAssert.Contains(e.Message, "'2' (U+0032) at position 3");
        Assert.ThrowsExactly<ArgumentException>(() => new NameScorer(model, options: new NameScorerOptions { UnknownCharacters = UnknownCharacterPolicy.MapToUnknown }));
    }

    [TestMethod]
    public void SixGramKneserNeySeparatesDevNamesFromRandomStringsAndKeyboardMash()
    {
        // The lecture split; dev names against 1,000 random strings and 1,000 keyboard-mash strings of the dev lengths.
        var split = NameSplitter.Split(TestData.OriginalNamesOrInconclusive(), SplitProtocol.Lecture);
        var model = Fit(split.Train, 6);
        double Plausibility(string s) => -SequenceScorer.Score(model, model.Vocabulary.Encode(s)).NllPerCharacter;
        var dev = split.Dev.Select(Plausibility).ToList();
        double random = Impostors.Auc(dev, Impostors.RandomStrings(split.Dev, 1_000, seed: 1).Select(Plausibility).ToList());
        double mash = Impostors.Auc(dev, Impostors.KeyboardMash(split.Dev, 1_000, seed: 2).Select(Plausibility).ToList());
        Assert.IsGreaterThanOrEqualTo(0.99, random, "AUC against random strings");
        Assert.IsGreaterThanOrEqualTo(0.99, mash, "AUC against keyboard mash");
    }

    [TestMethod]
    public void AucCountsPairsAndTies()
    {
        Assert.AreEqual(1.0, Impostors.Auc([3, 4], [1, 2]));
        Assert.AreEqual(0.0, Impostors.Auc([1, 2], [3, 4]));
        Assert.AreEqual(0.5, Impostors.Auc([1, 1], [1, 1]));
        Assert.AreEqual(0.75, Impostors.Auc([2, 4], [1, 3]));
    }
}

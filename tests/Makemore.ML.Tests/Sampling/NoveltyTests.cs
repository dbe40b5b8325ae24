using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Sampling;

[TestClass]
public sealed class NoveltyTests
{
    [TestMethod]
    public void NamesAreInTrainInDevTestOrNew()
    {
        var classifier = new NoveltyClassifier(["emma", "ava"], ["mia", "ava"]);
        Assert.AreEqual(NameNovelty.InTrain, classifier.Classify("emma"));
        Assert.AreEqual(NameNovelty.InTrain, classifier.Classify("ava"), "in both: counted as train");
        Assert.AreEqual(NameNovelty.InDevTest, classifier.Classify("mia"));
        Assert.AreEqual(NameNovelty.New, classifier.Classify("Emma"), "exact match");
        var report = classifier.Report(["emma", "mia", "zed", "zed", "ava"]);
        Assert.AreEqual((2, 1, 2, 5), (report.InTrain, report.InDevTest, report.New, report.Total));
        Assert.AreEqual(0.4, report.NewFraction, 1e-12);
        Assert.AreEqual("in train 2 (40.0%), in dev/test 1 (20.0%), new 2 (40.0%) of 5", report.ToString());
    }

    [TestMethod]
    public void OnlyNewGivesDistinctNewNamesAndCountsEveryDraw()
    {
        var names = NameList.Read(TestData.BundledNamesPath);
        var split = NameSplitter.Split(names);
        var vocabulary = CharacterVocabulary.Learn(split.Train);
        var model = NGramModel.Fit(vocabulary, 4, Smoothing.KneserNey(), split.Train.Select(n => vocabulary.Encode(n)));
        var classifier = NoveltyClassifier.From(split);
        var draws = new NoveltyReport();
        var fresh = new NameGenerator(model).EnumerateNew(300, classifier, new SamplingOptions { Seed = 8 }, draws).ToList();
        Assert.HasCount(300, fresh);
        Assert.AreEqual(300, fresh.Distinct().Count(), "no repeats");
        Assert.IsTrue(fresh.All(n => classifier.Classify(n) == NameNovelty.New));
        Assert.IsGreaterThan(300, draws.Total, "some draws were names of the data (a 4-gram copies often)");
        CollectionAssert.AreEqual(fresh, new NameGenerator(model).EnumerateNew(300, classifier, new SamplingOptions { Seed = 8 }).ToList(), "same seed, same names");
    }

    [TestMethod]
    public void OnlyNewSaysHowFarItGotWhenTheBudgetRunsOut()
    {
        var vocabulary = CharacterVocabulary.Learn(TestData.Tiny);
        var model = NGramModel.Fit(vocabulary, 3, Smoothing.AddK(0.1), TestData.Tiny.Select(n => vocabulary.Encode(n)));
        var greedy = new SamplingOptions { Greedy = true, MaxAttempts = 25 };
        string only = new NameGenerator(model).Generate(1, greedy)[0];
        var given = new List<string>();
        var e = Assert.ThrowsExactly<SamplingBudgetExhaustedException>(() =>
        {
            foreach (string name in new NameGenerator(model).EnumerateNew(3, new NoveltyClassifier([], []), greedy))
                given.Add(name);
        });
        CollectionAssert.AreEqual(new[] { only }, given, "greedy makes one name; it is given once");
        Assert.AreEqual((1, 3, 25), (e.Found, e.Requested, e.Budget));
        StringAssert.Contains(e.Message, "1 of 3 new distinct names");
        StringAssert.Contains(e.Message, "25 draws");
    }
}

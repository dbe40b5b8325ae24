using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Evaluation;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// Count models on the original names.txt against figures measured with the original code
/// (docs/reference-figures.md, "Count models" and "Exercises E02/E03" sections).
/// </summary>
[TestClass]
public sealed class LectureFigureTests
{
    public TestContext TestContext { get; set; } = null!;

    private static double Nll(NGramModel model, IEnumerable<string> names, out long count)
    {
        var metrics = LanguageModelEvaluator.Evaluate(model, names);
        count = metrics.PredictedCharacterCount;
        return metrics.NllPerCharacter;
    }

    private static NGramModel Fit(IReadOnlyList<string> train, int order, Smoothing smoothing)
    {
        var vocabulary = CharacterVocabulary.Learn(train);
        return NGramModel.Fit(vocabulary, order, smoothing, train.Select(n => vocabulary.Encode(n)));
    }

    [TestMethod]
    [DataRow(2, 1.0, 2.454577, DisplayName = "bigram add-1 (docs/reference-figures.md: 2.454577)")]
    [DataRow(2, 0.0, 2.454014, DisplayName = "bigram unsmoothed (docs/reference-figures.md: 2.454014)")]
    [DataRow(3, 1.0, 2.212582, DisplayName = "trigram add-1 (docs/reference-figures.md: 2.212582)")]
    [DataRow(3, 0.0, 2.185743, DisplayName = "trigram unsmoothed (docs/reference-figures.md: 2.185743)")]
    public void FullFileNllMatchesDoublePrecisionReference(int order, double k, double expected)
    {
        var names = TestData.OriginalNamesOrInconclusive();
        var model = Fit(names, order, Smoothing.AddK(k));
        double nll = Nll(model, names, out long count);
        Assert.AreEqual(228_146L, count, "predicted characters (docs/reference-figures.md: 228,146 bigram events)");
        Assert.AreEqual(expected, nll, 1e-5);
    }

    [TestMethod]
    public void BigramCountsOnTheFullFileEqualANaiveCount()
    {
        // The lecture's N[ix1, ix2] += 1 over '.' + w + '.', written out independently of NGramModel's base-V keys.
        var names = TestData.OriginalNamesOrInconclusive();
        var vocabulary = CharacterVocabulary.Learn(names);
        var model = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), names.Select(n => vocabulary.Encode(n)));
        var naive = new Dictionary<(char, char), int>();
        foreach (string name in names)
        {
            string padded = "." + name + ".";
            for (int i = 0; i + 1 < padded.Length; i++)
                naive[(padded[i], padded[i + 1])] = naive.GetValueOrDefault((padded[i], padded[i + 1])) + 1;
        }
        Assert.AreEqual(228_146L, model.EventCount, "docs/reference-figures.md: 228,146 bigram events");
        Assert.AreEqual(naive.Count, model.DistinctNGramCount, "distinct bigrams");
        for (int first = 0; first < vocabulary.Size; first++) // id 0, the boundary, is the naive count's '.'
            for (int second = 0; second < vocabulary.Size; second++)
                Assert.AreEqual(naive.GetValueOrDefault((vocabulary.SymbolOf(first), vocabulary.SymbolOf(second))), model.Count([first], second), $"N('{vocabulary.SymbolOf(first)}{vocabulary.SymbolOf(second)}')");
    }

    [TestMethod]
    [DataRow(3, 2.22, DisplayName = "order 3 (docs/reference-figures.md: 2.218)")]
    [DataRow(6, 1.98, DisplayName = "order 6 (docs/reference-figures.md: 1.977)")]
    public void ModifiedKneserNeyOnLectureSplit(int order, double bound)
    {
        var split = NameSplitter.Split(TestData.OriginalNamesOrInconclusive());
        var model = Fit(split.Train, order, Smoothing.KneserNey());
        double dev = Nll(model, split.Dev, out _);
        double test = Nll(model, split.Test, out long count);
        TestContext.WriteLine($"order {order} modified KN: dev {dev:F5}, test {test:F5} nats/char over {count} test characters");
        Assert.AreEqual(22_866L, count, "test characters (docs/reference-figures.md)");
        Assert.IsLessThanOrEqualTo(bound, test);
    }

    [TestMethod]
    public void TrigramAddKTunedOnDev()
    {
        var split = NameSplitter.Split(TestData.OriginalNamesOrInconclusive());
        var counts = Fit(split.Train, 3, Smoothing.AddK(1));
        double[] grid = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];
        var best = grid.Select(k => (K: k, Dev: Nll(counts.WithSmoothing(Smoothing.AddK(k)), split.Dev, out _))).MinBy(r => r.Dev);
        double test = Nll(counts.WithSmoothing(Smoothing.AddK(best.K)), split.Test, out _);
        TestContext.WriteLine($"best k {best.K}: dev {best.Dev:F5}, test {test:F5}");
        Assert.AreEqual(0.2, best.K, "docs/reference-figures.md: best grid k = 0.2 → dev 2.22227, test 2.22348");
        Assert.AreEqual(2.22227, best.Dev, 1e-4);
        Assert.AreEqual(2.22348, test, 1e-4);
        Assert.IsLessThanOrEqualTo(2.23, test);
    }
}

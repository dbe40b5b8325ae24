using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

[TestClass]
public sealed class NGramModelTests
{
    private static NGramModel Fit(int order, Smoothing smoothing, params string[] names)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        return NGramModel.Fit(vocabulary, order, smoothing, names.Select(n => vocabulary.Encode(n)));
    }

    private static double[] Next(NGramModel model, string prefix)
    {
        var p = new double[model.Vocabulary.Size];
        SequenceScorer.NextProbabilities(model, model.Vocabulary.Encode(prefix), p);
        return p;
    }

    [TestMethod]
    public void DescribedMemoryIsWhatTheModelHolds()
    {
        // An 8-gram Kneser–Ney model of the bundled names and each one reversed (several megabytes) against the managed
        // heap it adds. The figure `makemore info` prints must be the real size, within 10 %.
        var names = TestData.BundledNames().SelectMany(n => new[] { n, new string(n.Reverse().ToArray()) }).ToArray();
        var vocabulary = CharacterVocabulary.Learn(names);
        var ids = names.Select(n => vocabulary.Encode(n)).ToArray();
        NGramModel.Fit(vocabulary, 8, Smoothing.KneserNey(), ids); // counting's pooled buffers, which the shared pool keeps, are rented now
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var model = NGramModel.Fit(vocabulary, 8, Smoothing.KneserNey(), ids);
        model.LogLikelihood(ids[0]); // builds what scoring needs
        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        string memory = model.Describe().Single(l => l.Key == "memory").Value;
        double described = double.Parse(memory.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1e6;
        Assert.IsGreaterThan(2e6, held, $"the model holds {held:N0} bytes");
        Assert.AreEqual(held, described, 0.1 * held, $"described: {memory}; held: {held:N0} bytes");
        GC.KeepAlive(model);
    }

    [TestMethod]
    public void BigramCountsAndAddKByHand()
    {
        // "ab", "b": bigrams .a ab b. .b b. → from '.': a 1, b 1; from 'b': '.' 2. V = 3.
        var model = Fit(2, Smoothing.AddK(0.5), "ab", "b");
        Assert.AreEqual(2, model.Count([2], 0));
        Assert.AreEqual(5L, model.EventCount);
        var p = Next(model, "b");
        Assert.AreEqual((2 + 0.5) / (2 + 1.5), p[0], 1e-12);
        Assert.AreEqual(0.5 / (2 + 1.5), p[1], 1e-12);
        CollectionAssert.AreEqual(new[] { 0.0, 1.0, 1.0 }.Select(c => (c + 0.5) / 3.5).ToArray(), Next(model, ""));
    }

    [TestMethod]
    public void UnsmoothedUnseenEventHasZeroProbability()
    {
        var model = Fit(2, Smoothing.None, "ab");
        var score = SequenceScorer.Score(model, model.Vocabulary.Encode("ba"));
        Assert.AreEqual(double.NegativeInfinity, score.LogLikelihood);
    }

    [TestMethod]
    [DataRow(1, "add-k:0.1")]
    [DataRow(3, "add-k:1")]
    [DataRow(2, "kneser-ney")]
    [DataRow(4, "kneser-ney")]
    [DataRow(8, "kneser-ney")]
    [DataRow(5, "kneser-ney:0.7")]
    public void DistributionsSumToOneEverywhere(int order, string smoothing)
    {
        var model = Fit(order, Smoothing.Parse(smoothing), TestData.Tiny);
        var random = new Random(1);
        var context = new int[model.BlockSize];
        var p = new double[model.Vocabulary.Size];
        for (int trial = 0; trial < 200; trial++)
        {
            for (int i = 0; i < context.Length; i++)
                context[i] = random.Next(model.Vocabulary.Size);
            model.GetNextProbabilities(context, p);
            Assert.AreEqual(1.0, p.Sum(), 1e-9, $"context {string.Join(",", context)}");
            Assert.IsTrue(p.All(x => x > 0), "Kneser–Ney and add-k > 0 give every event some probability");
        }
    }

    [TestMethod]
    public void KneserNeyEstimatesThreeDiscountsPerOrder()
    {
        var model = Fit(3, Smoothing.KneserNey(), TestData.Tiny.Concat(["emily", "abigail", "harper", "evelyn", "avery"]).ToArray());
        Assert.HasCount(3, model.Discounts);
        foreach (var d in model.Discounts)
        {
            Assert.HasCount(3, d);
            Assert.IsTrue(d[0] > 0 && d[0] <= 1 && d[1] <= 2 && d[2] <= 3, string.Join(",", d));
        }
    }

    [TestMethod]
    public void WithSmoothingReusesCounts()
    {
        var model = Fit(3, Smoothing.AddK(1), TestData.Tiny);
        var other = model.WithSmoothing(Smoothing.KneserNey());
        Assert.AreEqual(model.DistinctNGramCount, other.DistinctNGramCount);
        Assert.AreEqual(Smoothing.KneserNey(), other.Smoothing);
    }

    [TestMethod]
    public void BadArgumentsAreRefused()
    {
        var vocabulary = CharacterVocabulary.Learn(["ab"]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NGramModel.Fit(vocabulary, 0, Smoothing.AddK(1), []));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NGramModel.Fit(vocabulary, 9, Smoothing.AddK(1), []));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NGramModel.Fit(vocabulary, 2, Smoothing.AddK(-1), []));
        Assert.ThrowsExactly<ArgumentException>(() => NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), [[7]]));
        Assert.ThrowsExactly<FormatException>(() => Smoothing.Parse("laplace"));
        Assert.AreEqual(Smoothing.AddK(0.25), Smoothing.Parse("add-k:0.25"));
        Assert.AreEqual(Smoothing.KneserNey(0.75), Smoothing.Parse("kneser-ney:0.75"));
    }

    [TestMethod]
    public void OneFixedKneserNeyDiscountIsReportedAsTheDOfTheFlag()
    {
        // kneser-ney:D sets one D for every count class; the error must not talk about a "D1" the user never wrote.
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(2, Smoothing.Parse("kneser-ney:1.5"), TestData.Tiny));
        StringAssert.StartsWith(e.Message, "The Kneser–Ney discount D must be in (0, 1], got 1.5 (kneser-ney:D applies one D to every count class).");
        Assert.DoesNotContain("D1", e.Message);
        var three = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(2, new KneserNeySmoothing([0.5, 2.5, 3]), TestData.Tiny));
        StringAssert.StartsWith(three.Message, "Discount D2 must be in (0, 2].");
    }

    [TestMethod]
    public void SavedStateRoundTrips()
    {
        var model = Fit(4, Smoothing.KneserNey(), TestData.Tiny);
        var state = ML.Persistence.ModelState.EncodeModel(model);
        var loaded = (NGramModel)ML.Persistence.ModelState.GetModel(state.AsMemory());
        Assert.AreEqual(model.Order, loaded.Order);
        CollectionAssert.AreEqual(Next(model, "em"), Next(loaded, "em"));
        Assert.ThrowsExactly<ModelFileDamagedException>(() => ML.Persistence.ModelState.GetModel("bm90IGEgbW9kZWw=".AsMemory()));
    }
}

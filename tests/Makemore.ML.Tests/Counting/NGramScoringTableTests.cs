using CsCheck;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Counting;

/// <summary>
/// The precomputed log-probabilities n-gram scoring reads (<see cref="NGramScoringTable"/>) against the reference: ln of
/// <see cref="NGramModel.GetNextProbabilities"/>, which computes the whole distribution, for both table layouts.
/// </summary>
[TestClass]
public sealed class NGramScoringTableTests
{
    private const string Letters = "abcdefghij";

    private static readonly Gen<Smoothing> Smoothings = Gen.OneOf(
        Gen.Const<Smoothing>(Smoothing.None),
        Gen.Double[0.001, 3].Select(k => (Smoothing)Smoothing.AddK(k)),
        Gen.Const<Smoothing>(Smoothing.KneserNey()),
        Gen.Double[0.01, 1].Select(d => (Smoothing)Smoothing.KneserNey(d)),
        Gen.Select(Gen.Double[0.01, 1], Gen.Double[0.01, 2], Gen.Double[0.01, 3], (d1, d2, d3) => (Smoothing)new KneserNeySmoothing([d1, d2, d3])));

    /// <summary>ln p of every predicted symbol by the reference route: the whole distribution after each window.</summary>
    private static double[] Reference(NGramModel model, int[] ids)
    {
        var expected = new double[ids.Length + 1];
        var context = new int[model.BlockSize];
        var p = new double[model.Vocabulary.Size];
        for (int i = 0; i <= ids.Length; i++)
        {
            int target = i < ids.Length ? ids[i] : 0;
            model.GetNextProbabilities(context, p);
            expected[i] = Math.Log(p[target]);
            if (context.Length > 0)
            {
                Array.Copy(context, 1, context, 0, context.Length - 1);
                context[^1] = target;
            }
        }
        return expected;
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsInfinity(expected[i]))
                Assert.AreEqual(expected[i], actual[i], $"{what}, position {i}");
            else
                Assert.AreEqual(expected[i], actual[i], 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"{what}, position {i}");
        }
    }

    [TestMethod]
    public void BothLayoutsGiveTheLogOfTheDistributionForEveryOrderSmoothingAndContext()
    {
        // Vocabularies of 1–10 letters; training names use a prefix of them, the scored texts all of them, so scoring
        // meets contexts never seen in training (at the top order and below) and symbols never seen after a context.
        var cases =
            from vocabulary in Gen.Char[Letters].Array[1, 10].Select(a => new string(a.Distinct().ToArray()))
            from trainingCount in Gen.Int[1, vocabulary.Length]
            from names in Gen.Char[vocabulary[..trainingCount]].Array[0, 9].Select(a => new string(a)).Array[1, 12]
            from order in Gen.Int[1, NGramModel.MaxOrder]
            from smoothing in Smoothings
            from texts in Gen.Char[vocabulary].Array[0, 12].Select(a => new string(a)).Array[1, 6]
            select (vocabulary, names, order, smoothing, texts);
        cases.Sample((characters, names, order, smoothing, texts) =>
        {
            var vocabulary = CharacterVocabulary.FromCharacters(characters);
            var model = NGramModel.Fit(vocabulary, order, smoothing, names.Select(n => vocabulary.Encode(n)));
            var dense = model.CreateScoringTable(NGramScoringTable.DenseLimit);
            var sparse = model.CreateScoringTable(denseLimit: 0);
            Assert.IsFalse(sparse.IsDense);
            foreach (string text in texts)
            {
                int[] ids = vocabulary.Encode(text);
                double[] expected = Reference(model, ids);
                foreach (var (table, layout) in new[] { (dense, "dense"), (sparse, "sparse") })
                {
                    var actual = new double[ids.Length + 1];
                    table.LogProbabilities(ids, actual);
                    AssertClose(expected, actual, $"{layout}, {model}, '{text}'");
                    if (table.SumsAsItReads)
                        Assert.AreEqual(InOrder(actual), table.LogLikelihood(ids), $"{layout} LogLikelihood = the log-probabilities summed in order, {model}, '{text}'");
                }
                var viaModel = new double[ids.Length + 1];
                model.LogProbabilities(ids, viaModel);
                AssertClose(expected, viaModel, $"model, {model}, '{text}'");
                Assert.AreEqual(InOrder(viaModel), model.LogLikelihood(ids), $"model LogLikelihood = its log-probabilities summed in order, {model}, '{text}'");
            }
        }, iter: 1500);
    }

    [TestMethod]
    public void SparseLayoutOfTheLectureSplitSixGramMatchesTheDistribution()
    {
        // names.txt at order 6 is past the dense limit: the real layout, the real backoff chains.
        var names = TestData.BundledNames().ToArray();
        var vocabulary = CharacterVocabulary.Learn(names);
        var model = NGramModel.Fit(vocabulary, 6, Smoothing.KneserNey(), names.Take(20_000).Select(n => vocabulary.Encode(n)));
        Assert.IsFalse(model.ScoringTable.IsDense);
        foreach (string name in names.Skip(20_000).Take(2_000).Append("zzzzqx"))
        {
            int[] ids = vocabulary.Encode(name);
            var actual = new double[ids.Length + 1];
            model.LogProbabilities(ids, actual);
            AssertClose(Reference(model, ids), actual, name);
        }
    }

    [TestMethod]
    public void LogProbabilitiesRejectIdsOutsideTheVocabulary()
    {
        var vocabulary = CharacterVocabulary.FromCharacters("ab");
        var model = NGramModel.Fit(vocabulary, 3, Smoothing.KneserNey(), [[1, 2]]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.LogProbabilities([1, 3], new double[3]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.LogLikelihood([1, 3]));
        var dense = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), [[1, 2]]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => dense.LogLikelihood([3]), "the dense path checks ids too");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => dense.LogLikelihood([-1]));
        Assert.ThrowsExactly<ArgumentException>(() => model.LogProbabilities([1, 2], new double[2]));
    }

    private static double InOrder(double[] logProbabilities)
    {
        double sum = 0;
        foreach (double lp in logProbabilities)
            sum += lp;
        return sum;
    }
}

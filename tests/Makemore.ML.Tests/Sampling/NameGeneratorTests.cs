using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Sampling;

[TestClass]
public sealed class NameGeneratorTests
{
    private static NameGenerator BigramOn(IReadOnlyList<string> names, Smoothing smoothing)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        return new NameGenerator(NGramModel.Fit(vocabulary, 2, smoothing, names.Select(n => vocabulary.Encode(n))));
    }

    [TestMethod]
    [DataRow(SamplerRng.Lecture, "mor,axx,minaymoryles,kondlaisah,anchshizarie", DisplayName = "2022 lecture draw (docs/reference-figures.md)")]
    [DataRow(SamplerRng.Torch, "cexze,momasurailezitynn,konimittain,llayn,ka", DisplayName = "current PyTorch/TorchSharp draw (docs/reference-figures.md)")]
    public void BigramAddOneSamplesMatchTheReference(SamplerRng rng, string expected)
    {
        // docs/reference-figures.md, "Random numbers": five samples from P = (N+1)/rowsum with manual_seed(2147483647).
        var generator = BigramOn(TestData.OriginalNamesOrInconclusive(), Smoothing.AddK(1));
        var names = generator.Generate(5, new SamplingOptions { Rng = rng });
        Assert.AreEqual(expected, string.Join(",", names));
    }

    [TestMethod]
    public void SameSeedSameNamesOtherSeedOtherNames()
    {
        var generator = BigramOn(TestData.Tiny, Smoothing.AddK(0.1));
        var a = generator.Generate(20, new SamplingOptions { Seed = 7 });
        var b = generator.Generate(20, new SamplingOptions { Seed = 7 });
        var c = generator.Generate(20, new SamplingOptions { Seed = 8 });
        CollectionAssert.AreEqual(a.ToList(), b.ToList());
        CollectionAssert.AreNotEqual(a.ToList(), c.ToList());
    }

    [TestMethod]
    public void TopOneIsGreedyAndPrefixIsKept()
    {
        var generator = BigramOn(TestData.Tiny, Smoothing.None);
        var greedy = generator.Generate(3, new SamplingOptions { TopK = 1, Prefix = "is", MaxLength = 12 });
        Assert.AreEqual(1, greedy.Distinct().Count(), "top-1 sampling is deterministic");
        Assert.StartsWith("is", greedy[0]);
    }

    [TestMethod]
    public void LowTemperatureConcentratesOnLikelyNames()
    {
        var generator = BigramOn(TestData.OriginalNamesOrInconclusive(), Smoothing.AddK(1));
        var cold = generator.Generate(300, new SamplingOptions { Temperature = 0.3 }).Distinct().Count();
        var warm = generator.Generate(300, new SamplingOptions { Temperature = 1.0 }).Distinct().Count();
        Assert.IsLessThan(warm, cold, "a cold sampler repeats itself more");
    }

    [TestMethod]
    [DataRow(SamplerRng.Lecture)]
    [DataRow(SamplerRng.Torch)]
    public void UnsmoothedBigramSamplesHaveTheDataMeanLength(SamplerRng rng)
    {
        // A maximum-likelihood Markov chain reproduces the mean length of its training items exactly (each character's
        // expected visits per name satisfy the same flow equations as its counts): 196,113 letters / 32,033 names = 6.122.
        // The chain's lengths spread more than the data's (sd ≈ 5.3, measured on 40,000 Python samples), so the mean of
        // 10,000 samples has sd ≈ 0.053; ±0.2 allows almost 4 sd. A sampler that ends names too early or too late fails.
        var names = TestData.OriginalNamesOrInconclusive();
        var samples = BigramOn(names, Smoothing.None).Generate(10_000, new SamplingOptions { Rng = rng, Seed = 1 });
        Assert.AreEqual(names.Average(n => n.Length), samples.Average(n => n.Length), 0.2);
    }

    [TestMethod]
    [DataRow(SamplerRng.Lecture)]
    [DataRow(SamplerRng.Torch)]
    public void VeryLowTemperatureIsGreedyInsteadOfUnderflowing(SamplerRng rng)
    {
        // p = (. 0.1, a 0.3, b 0.2, c 0.2, d 0.2). At T = 0.01 the weights are p^100: 0.3^100 ≈ 5e-53 is below float32's
        // smallest value, so unscaled weights all round to 0 and the sampler refuses them. Scaled by the largest they are
        // (a 1, b c d (2/3)^100 ≈ 2e-18, . 3^-100): every draw is 'a' until MaxLength.
        var model = new FixedDistribution(CharacterVocabulary.FromCharacters("abcd"), [0.1, 0.3, 0.2, 0.2, 0.2]);
        var samples = new NameGenerator(model).Generate(3, new SamplingOptions { Temperature = 0.01, Rng = rng, MaxLength = 4 });
        CollectionAssert.AreEqual(new[] { "aaaa", "aaaa", "aaaa" }, samples.ToArray());
    }

    /// <summary>A model that predicts the same distribution after every context.</summary>
    private sealed class FixedDistribution(CharacterVocabulary vocabulary, double[] probabilities) : WindowLanguageModel
    {
        public override CharacterVocabulary Vocabulary => vocabulary;

        public override int BlockSize => 0;

        public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> next) => probabilities.CopyTo(next);

        public override IReadOnlyList<KeyValuePair<string, string>> Describe() => [];
    }

    [TestMethod]
    public void FromLoadedModelSamplesLikeTheTrainedOne()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadNames(TestData.Tiny);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(3, Smoothing.KneserNey())).Fit(train);
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        CollectionAssert.AreEqual(NameGenerator.From(model).Generate(10).ToList(), NameGenerator.From(loaded).Generate(10).ToList());
    }

    [TestMethod]
    public void BadOptionsAreRefused()
    {
        var generator = BigramOn(TestData.Tiny, Smoothing.AddK(1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => generator.Generate(1, new SamplingOptions { Temperature = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => generator.Generate(1, new SamplingOptions { TopK = -1 }));
    }

    [TestMethod]
    public void EnumerateDrawsEachNameOnlyWhenAskedAndMatchesGenerate()
    {
        var counting = new CountingModel((WindowLanguageModel)BigramOn(TestData.Tiny, Smoothing.AddK(0.1)).Model);
        var generator = new NameGenerator(counting);
        var options = new SamplingOptions { Seed = 11 };
        var firstFive = generator.Enumerate(1_000, options).Take(5).ToList();
        // One model call per drawn character plus one for each end token: nothing was drawn for the other 995 names.
        Assert.AreEqual(firstFive.Sum(n => n.Length + 1), counting.Calls);
        CollectionAssert.AreEqual(generator.Generate(5, options).ToList(), firstFive);
        CollectionAssert.AreEqual(generator.Generate(5, options).ToList(), generator.Enumerate(int.MaxValue, options).Take(5).ToList());
        CollectionAssert.AreEqual(generator.Generate(200, options).ToList(), generator.Enumerate(200, options).ToList());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => generator.Enumerate(-1), "checked when called, not when enumerated");
    }

    private sealed class CountingModel(WindowLanguageModel inner) : WindowLanguageModel
    {
        public int Calls { get; private set; }
        public override CharacterVocabulary Vocabulary => inner.Vocabulary;
        public override int BlockSize => inner.BlockSize;

        public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities)
        {
            Calls++;
            inner.GetNextProbabilities(context, probabilities);
        }

        public override IReadOnlyList<KeyValuePair<string, string>> Describe() => inner.Describe();
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("is")]
    [DataRow("ol")]
    public void TinyTemperatureIsGreedy(string prefix)
    {
        // names.txt, not Tiny: top-1 keeps the first of tied characters, a near-zero temperature keeps every tied one.
        var generator = BigramOn(TestData.OriginalNamesOrInconclusive(), Smoothing.AddK(1));
        string greedy = generator.Generate(1, new SamplingOptions { TopK = 1, Prefix = prefix, MaxLength = 12 })[0];
        var cold = generator.Generate(20, new SamplingOptions { Temperature = 1e-30, Prefix = prefix, MaxLength = 12 });
        Assert.IsTrue(cold.All(n => n == greedy), $"expected only '{greedy}', got {string.Join(",", cold.Distinct())}");
    }

    [TestMethod]
    [DataRow(SamplerRng.Lecture)]
    [DataRow(SamplerRng.Torch)]
    public void HugeTemperatureIsUniformOverPossibleCharacters(SamplerRng rng)
    {
        // Without smoothing the first character is one of the 7 that start a Tiny name (a starts 4 of 10, so T = 1 is far from uniform).
        var generator = BigramOn(TestData.Tiny, Smoothing.None);
        const int draws = 7_000;
        var counts = generator.Generate(draws, new SamplingOptions { Temperature = 1e30, MaxLength = 1, Rng = rng })
            .GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        CollectionAssert.AreEquivalent(new[] { "a", "e", "i", "l", "m", "o", "s" }, counts.Keys.ToList());
        foreach (var (first, count) in counts)
            Assert.AreEqual(draws / 7.0, count, 150, $"'{first}' drawn {count} times"); // ±150 is > 4 standard deviations (√(7000·1/7·6/7) ≈ 29)
    }
}

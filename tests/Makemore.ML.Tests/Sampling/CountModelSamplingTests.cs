using CsCheck;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Sampling;

/// <summary>
/// <see cref="NameGenerator"/> draws from an n-gram model with each context's cumulative row computed once; the same
/// model behind an opaque wrapper goes through the per-step route (a distribution and a row per character). Both must
/// give the same names for every option and constraint.
/// </summary>
[TestClass]
public sealed class CountModelSamplingTests
{
    /// <summary>The model's distributions, but not an <see cref="NGramModel"/>: the sampler cannot cache its rows.</summary>
    private sealed class Opaque(NGramModel inner) : WindowLanguageModel
    {
        public override CharacterVocabulary Vocabulary => inner.Vocabulary;

        public override int BlockSize => inner.BlockSize;

        public override void GetNextProbabilities(ReadOnlySpan<int> context, Span<double> probabilities) =>
            inner.GetNextProbabilities(context, probabilities);

        public override IReadOnlyList<KeyValuePair<string, string>> Describe() => inner.Describe();
    }

    [TestMethod]
    public void CachedRowsGiveTheNamesOfThePerStepRoute()
    {
        var names = TestData.BundledNames().Take(3_000).ToArray();
        var vocabulary = CharacterVocabulary.Learn(names);
        var ids = names.Select(n => vocabulary.Encode(n)).ToList();
        var models = new[]
        {
            NGramModel.Fit(vocabulary, 1, Smoothing.AddK(1), ids),
            NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), ids),
            NGramModel.Fit(vocabulary, 3, Smoothing.KneserNey(), ids),
            NGramModel.Fit(vocabulary, 5, Smoothing.AddK(0.1), ids),
        };
        var cases =
            from model in Gen.Int[0, models.Length - 1]
            from seed in Gen.Int[0, 1000]
            from temperature in Gen.OneOf(Gen.Const(1.0), Gen.Double[0.2, 3])
            from topK in Gen.OneOf(Gen.Const((int?)null), Gen.Int[1, 30].Select(k => (int?)k))
            from topP in Gen.OneOf(Gen.Const((double?)null), Gen.Double[0.3, 1].Select(p => (double?)p))
            from maxLength in Gen.Int[1, 12]
            from prefix in Gen.OneOf(Gen.Const(""), Gen.Const("a"), Gen.Const("ke"))
            from endsWith in Gen.OneOf(Gen.Const(""), Gen.Const("a"))
            from rng in Gen.Enum<SamplerRng>()
            select (Model: model, Options: new SamplingOptions
            {
                Seed = seed, Temperature = temperature, TopK = topK, TopP = topP, Rng = rng,
                Constraints = new NameConstraints { StartsWith = prefix, EndsWith = endsWith, MaxLength = Math.Max(maxLength, prefix.Length + 1) },
            });
        cases.Sample(c =>
        {
            var (m, options) = c;
            var cached = new NameGenerator(models[m]).Generate(40, options);
            var perStep = new NameGenerator(new Opaque(models[m])).Generate(40, options);
            CollectionAssert.AreEqual(perStep.ToArray(), cached.ToArray(), $"{models[m]}");
        }, iter: 150, print: x => $"{models[x.Model]}, T {x.Options.Temperature}, top-k {x.Options.TopK}, top-p {x.Options.TopP}, {x.Options.Rng}, seed {x.Options.Seed}, '{x.Options.Prefix}'…'{x.Options.Constraints.EndsWith}' ≤ {x.Options.MaxLength}");
    }
}

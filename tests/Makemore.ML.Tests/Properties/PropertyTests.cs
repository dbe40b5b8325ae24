using CsCheck;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Properties;

/// <summary>
/// Properties that must hold for every input, checked with CsCheck on random inputs. A failure prints the shrunk
/// input and the seed that reproduces it (pass it as <c>seed:</c> to <c>Sample</c>). Each property runs in about a second.
/// </summary>
[TestClass]
public sealed class PropertyTests
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    /// <summary>A small corpus: the vocabulary's characters, the subset the training names use, and the names (some may be empty).</summary>
    private sealed record Corpus(string VocabularyCharacters, string TrainingCharacters, string[] Names)
    {
        public CharacterVocabulary Vocabulary => CharacterVocabulary.FromCharacters(VocabularyCharacters);

        public override string ToString() => $"vocabulary '{VocabularyCharacters}', trained on '{TrainingCharacters}': [{string.Join(", ", Names)}]";
    }

    // 1–8 letters for the vocabulary; the training names use a non-empty prefix of them, so a wider vocabulary has
    // characters that never occur in training.
    private static readonly Gen<Corpus> Corpora =
        from vocabulary in Gen.Char[Letters].Array[1, 8].Select(a => new string(a.Distinct().ToArray()))
        from trainingCount in Gen.Int[1, vocabulary.Length]
        let training = vocabulary[..trainingCount]
        from names in Gen.Char[training].Array[0, 6].Select(a => new string(a)).Array[1, 6]
        select new Corpus(vocabulary, training, names);

    private static readonly Gen<Smoothing> SmoothedOptions = Gen.OneOf(
        Gen.Double[0.001, 3].Select(k => (Smoothing)Smoothing.AddK(k)),
        Gen.Const<Smoothing>(Smoothing.KneserNey()),
        Gen.Double[0.01, 1].Select(d => (Smoothing)Smoothing.KneserNey(d)),
        Gen.Select(Gen.Double[0.01, 1], Gen.Double[0.01, 2], Gen.Double[0.01, 3], (d1, d2, d3) => (Smoothing)new KneserNeySmoothing([d1, d2, d3])));

    private static Gen<string> TextsOver(string characters, int maxLength) => characters.Length == 0
        ? Gen.Const("")
        : Gen.Char[characters].Array[0, maxLength].Select(a => new string(a));

    private static NGramModel Fit(Corpus corpus, int order, Smoothing smoothing)
    {
        var vocabulary = corpus.Vocabulary;
        return NGramModel.Fit(vocabulary, order, smoothing, corpus.Names.Select(n => vocabulary.Encode(n)));
    }

    [TestMethod]
    public void VocabularyRoundTripsEveryTextOverAnyCharacterSet()
    {
        // Any UTF-16 code unit, mixed with a few chosen ones (accents, spaces, '.', the unknown symbol U+FFFD).
        var characterSets = Gen.OneOf(Gen.Char, Gen.Char["aé z-'.\uFFFD"])
            .Array[1, 12].Select(a => new string(a.Distinct().ToArray()));
        var cases =
            from characters in characterSets
            from texts in TextsOver(characters, 10).Array[1, 8]
            from policy in Gen.Enum<UnknownCharacterPolicy>()
            select (texts, policy);
        cases.Sample((texts, policy) =>
        {
            var vocabulary = CharacterVocabulary.Learn(texts, policy);
            Assert.AreEqual(CharacterVocabulary.Boundary, vocabulary.Symbols[0], "the boundary, displayed as '.'");

            // The symbols after the boundary are the distinct characters of the texts, sorted ordinally; MapToUnknown
            // appends the unknown symbol last (a text's own U+FFFD then stands for itself).
            bool unknown = policy == UnknownCharacterPolicy.MapToUnknown;
            var seen = texts.SelectMany(t => t).Distinct().Where(c => !unknown || c != CharacterVocabulary.UnknownSymbol).Order().ToArray();
            var expected = new[] { CharacterVocabulary.Boundary }.Concat(seen).Concat(unknown ? [CharacterVocabulary.UnknownSymbol] : []).ToArray();
            Assert.AreEqual(new string(expected), new string(vocabulary.Symbols.ToArray()), "symbols: boundary, sorted characters (, unknown)");
            Assert.AreEqual(seen.Contains('.') ? Array.IndexOf(expected, '.', 1) : -1, vocabulary.IdOf('.'), "'.' is a character (≥ 1) or unseen, never the boundary's 0");

            foreach (string text in texts)
            {
                int[] ids = vocabulary.Encode(text);
                Assert.HasCount(text.Length, ids);
                Assert.IsTrue(ids.All(id => id >= 1 && id < vocabulary.Size), $"ids {string.Join(",", ids)} outside 1..{vocabulary.Size - 1}");
                Assert.AreEqual(text, vocabulary.Decode(ids));
            }
        }, iter: 2000);
    }

    [TestMethod]
    public void SplitPartsArePermutationOfTheInputIn80_10_10()
    {
        var cases =
            from names in TextsOver("abcde", 4).Array[0, 300]
            from protocol in Gen.OneOf(Gen.Const(SplitProtocol.Lecture), Gen.Const(SplitProtocol.Random))
            from seed in Gen.Int[0, int.MaxValue]
            select (names, protocol, seed);
        cases.Sample((names, protocol, seed) =>
        {
            string[] input = names.ToArray();
            var split = NameSplitter.Split(names, protocol, seed);
            int n = names.Length;
            // n1 = int(0.8 n), n2 = int(0.9 n), in integer arithmetic.
            Assert.AreEqual(8 * n / 10, split.Train.Count, "train");
            Assert.AreEqual(9 * n / 10 - 8 * n / 10, split.Dev.Count, "dev");
            Assert.AreEqual(n - 9 * n / 10, split.Test.Count, "test");
            CollectionAssert.AreEqual(names.Order(StringComparer.Ordinal).ToArray(),
                split.Train.Concat(split.Dev).Concat(split.Test).Order(StringComparer.Ordinal).ToArray(), "train + dev + test is the input as a multiset");
            CollectionAssert.AreEqual(input, names, "the input is not modified");
            if (protocol == SplitProtocol.Lecture)
                CollectionAssert.AreEqual(NameSplitter.Split(names, SplitProtocol.Random, NameSplitter.LectureSeed).Test.ToArray(), split.Test.ToArray(),
                    "the lecture protocol is seed 42 whatever seed is passed");
        }, iter: 1000);
    }

    [TestMethod]
    public void SmoothedModelsGiveFiniteLogLikelihoodsAndNormalisedDistributions()
    {
        var cases =
            from corpus in Corpora
            from order in Gen.Int[1, 6]
            from smoothing in SmoothedOptions
            from texts in TextsOver(corpus.VocabularyCharacters, 8).Array[1, 8]
            select (corpus, order, smoothing, texts);
        cases.Sample((corpus, order, smoothing, texts) =>
        {
            var model = Fit(corpus, order, smoothing);
            var p = new double[model.Vocabulary.Size];
            foreach (string text in texts)
            {
                int[] ids = model.Vocabulary.Encode(text);
                var score = SequenceScorer.Score(model, ids);
                Assert.IsTrue(double.IsFinite(score.LogLikelihood) && score.LogLikelihood < 0, $"log-likelihood of '{text}' is {score.LogLikelihood}");
                for (int length = 0; length <= ids.Length; length++)
                {
                    SequenceScorer.NextProbabilities(model, ids.AsSpan(0, length), p);
                    Assert.AreEqual(1.0, p.Sum(), 1e-9, $"after '{text[..length]}'");
                    Assert.IsTrue(p.All(x => x > 0), $"after '{text[..length]}': {string.Join(", ", p)}");
                }
            }
        }, iter: 3000);
    }

    [TestMethod]
    public void SamplesUseOnlyVocabularyCharactersAndRespectMaxLength()
    {
        var cases =
            from corpus in Corpora
            from order in Gen.Int[1, 5]
            from smoothing in SmoothedOptions
            from options in Gen.Select(Gen.Long[0, long.MaxValue], Gen.OneOf(Gen.Double[0.01, 0.1], Gen.Double[0.1, 10]), Gen.Int[-1, corpus.VocabularyCharacters.Length + 2],
                Gen.Int[1, 30], TextsOver(corpus.VocabularyCharacters, 3), Gen.Bool,
                (seed, temperature, topK, maxLength, prefix, torch) => new SamplingOptions
                {
                    Seed = seed, Temperature = temperature, TopK = topK < 0 ? null : topK, MaxLength = Math.Max(maxLength, prefix.Length), Prefix = prefix, // a longer prefix is refused
                    Rng = torch ? SamplerRng.Torch : SamplerRng.Lecture,
                })
            from count in Gen.Int[1, 10]
            select (corpus, order, smoothing, options, count);
        cases.Sample((corpus, order, smoothing, options, count) =>
        {
            var model = Fit(corpus, order, smoothing);
            var names = new NameGenerator(model).Generate(count, options);
            Assert.HasCount(count, names);
            foreach (string name in names)
            {
                Assert.IsTrue(name.All(c => c != CharacterVocabulary.Boundary && model.Vocabulary.Contains(c)), $"'{name}' has a character outside '{model.Vocabulary}'");
                Assert.StartsWith(options.Prefix, name);
                Assert.IsLessThanOrEqualTo(options.MaxLength, name.Length, $"'{name}'");
            }
            if (options.TopK == 1)
                Assert.AreEqual(1, names.Distinct().Count(), "top-1 sampling is greedy: every name is the same");
        }, iter: 3000, print: t => $"{t.Item1}, order {t.Item2}, {t.Item3}, seed {t.Item4.Seed}, T {t.Item4.Temperature}, top-k {t.Item4.TopK}, " +
            $"max {t.Item4.MaxLength}, prefix '{t.Item4.Prefix}', {t.Item4.Rng}, {t.Item5} names");
    }

    [TestMethod]
    public void SavedAndLoadedPipelineScoresBitIdentically()
    {
        var cases =
            from corpus in Corpora
            from order in Gen.Int[1, 6]
            from smoothing in Gen.OneOf(SmoothedOptions, Gen.Const<Smoothing>(Smoothing.None))
            from policy in Gen.Enum<UnknownCharacterPolicy>()
            // Names to score: over the characters the vocabulary learns, plus unseen ones ('X', 'é') where the policy accepts them.
            let learned = new string(corpus.Names.SelectMany(n => n).Distinct().ToArray())
            from names in TextsOver(policy == UnknownCharacterPolicy.Error ? learned : learned + "Xé", 8).Array[1, 10]
            select (corpus, order, smoothing, policy, names);
        cases.Sample((corpus, order, smoothing, policy, names) =>
        {
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadNames(corpus.Names);
            var model = ml.Transforms.Text.MapCharactersToIds(unknownCharacters: policy).Append(ml.Makemore().Trainers.NGram(order, smoothing)).Fit(data);
            using var stream = new MemoryStream();
            ml.Model.Save(model, data.Schema, stream);
            stream.Position = 0;
            var fresh = new MLContext(seed: 1);
            var loaded = fresh.Model.Load(stream, out _);

            var before = NameScorer.From(model);
            var after = NameScorer.From(loaded);
            var engine = fresh.Model.CreatePredictionEngine<NameInput, NameScore>(loaded);
            foreach (string name in names)
            {
                var b = before.Score(name);
                var a = after.Score(name);
                var e = engine.Predict(new NameInput { Name = name });
                foreach (var (label, s) in new[] { ("NameScorer after load", a), ("PredictionEngine after load", e) })
                {
                    Assert.AreEqual(BitConverter.DoubleToInt64Bits(b.LogLikelihood), BitConverter.DoubleToInt64Bits(s.LogLikelihood), $"{label}: log-likelihood of '{name}'");
                    Assert.AreEqual(BitConverter.DoubleToInt64Bits(b.NllPerCharacter), BitConverter.DoubleToInt64Bits(s.NllPerCharacter), $"{label}: NLL of '{name}'");
                    Assert.AreEqual(BitConverter.DoubleToInt64Bits(b.Perplexity), BitConverter.DoubleToInt64Bits(s.Perplexity), $"{label}: perplexity of '{name}'");
                    Assert.AreEqual(b.PredictedCharacterCount, s.PredictedCharacterCount, $"{label}: predicted characters of '{name}'");
                    CollectionAssert.AreEqual(b.NextCharacterProbabilities.Select(BitConverter.SingleToInt32Bits).ToArray(),
                        s.NextCharacterProbabilities.Select(BitConverter.SingleToInt32Bits).ToArray(), $"{label}: next-character distribution after '{name}'");
                }
            }
        }, iter: 20);
    }
}

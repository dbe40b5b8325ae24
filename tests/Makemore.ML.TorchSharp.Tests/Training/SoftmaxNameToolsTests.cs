using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Tests;
using Makemore.ML.Tests.Sampling;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>Constrained sampling, search and plausibility on a neural model: the shared model interface gives them to every type.</summary>
[TestClass]
[DoNotParallelize]
public sealed class SoftmaxNameToolsTests
{
    private static readonly Lazy<SoftmaxRegressionModel> Trigram = new(() =>
    {
        // A softmax trigram (block 2, joint context) trained briefly on 2,000 bundled names: enough to sample from.
        var names = NameList.Read(TestData.BundledNamesPath).Take(2_000).ToList();
        var vocabulary = CharacterVocabulary.Learn(names);
        return new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { BlockSize = 2, Threads = 1, Training = { Steps = 30, LearningRate = 50 } })
            .Train(vocabulary, names.Select(n => vocabulary.Encode(n)).ToList()).Model;
    });

    [TestMethod]
    [DataRow(SamplerRng.Lecture, "k", "a", "", "q", 3, 7)]
    [DataRow(SamplerRng.Torch, "", "lyn", "e", "z", 0, 9)]
    public void ConstraintsHoldInTenThousandSamples(SamplerRng rng, string startsWith, string endsWith, string contains, string exclude, int min, int max)
    {
        var constraints = new NameConstraints
        {
            StartsWith = startsWith, EndsWith = endsWith, Contains = contains, ExcludedCharacters = exclude, MinLength = min, MaxLength = max,
        };
        var names = new NameGenerator(Trigram.Value).Generate(10_000, new SamplingOptions { Seed = 21, Rng = rng, Constraints = constraints });
        ConstraintChecks.AssertSatisfied(names, constraints);
        Assert.IsGreaterThan(100, names.Distinct().Count(), "the names vary");
        CollectionAssert.AreEqual(names.Take(100).ToList(),
            new NameGenerator(Trigram.Value).Generate(100, new SamplingOptions { Seed = 21, Rng = rng, Constraints = constraints }).ToList(), "same seed, same names");
    }

    [TestMethod]
    public void PrefixContinuationsStartWithThePrefix()
    {
        var names = new NameGenerator(Trigram.Value).Generate(1_000, new SamplingOptions { Prefix = "ma", Seed = 3 });
        Assert.IsTrue(names.All(n => n.StartsWith("ma", StringComparison.Ordinal)));
        Assert.IsGreaterThan(20, names.Distinct().Count());
    }

    [TestMethod]
    public void SearchTopNameIsTheGreedyOrBetterAndPlausibilityIsRead()
    {
        var model = Trigram.Value;
        var search = new NameSearch(model).MostLikely(3, new NameSearchOptions { Constraints = new NameConstraints { MaxLength = 10 } });
        string greedy = new NameGenerator(model).Generate(1, new SamplingOptions { Greedy = true, MaxLength = 10 })[0];
        double greedyLikelihood = SequenceScorer.Score(model, model.Vocabulary.Encode(greedy)).LogLikelihood;
        Assert.IsGreaterThanOrEqualTo(greedyLikelihood - 1e-9, search.Names[0].LogLikelihood, "the most likely name is at least as likely as the greedy one");
        Assert.AreEqual(SequenceScorer.Score(model, model.Vocabulary.Encode(search.Names[0].Name)).LogLikelihood, search.Names[0].LogLikelihood, 1e-9);
        var names = NameList.Read(TestData.BundledNamesPath).Take(2_000).ToList();
        var table = PlausibilityTable.FromNames(model, names);
        Assert.IsGreaterThan(table.Percentile(SequenceScorer.Score(model, model.Vocabulary.Encode("qxzvq")).NllPerCharacter),
            table.Percentile(SequenceScorer.Score(model, model.Vocabulary.Encode("anna")).NllPerCharacter));
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

/// <summary>Linear interpolation of models: EM weights, the contract, and the ML.NET estimator.</summary>
[TestClass]
public sealed class InterpolatedModelTests
{
    private static readonly IReadOnlyList<string> Names = NameList.Read(TestData.BundledNamesPath);

    private static (CharacterVocabulary Vocabulary, List<int[]> Train, List<int[]> Dev) Data()
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        return (vocabulary, Names.Take(3000).Select(n => vocabulary.Encode(n)).ToList(), Names.Skip(3000).Take(500).Select(n => vocabulary.Encode(n)).ToList());
    }

    private static double Nll(ILanguageModel model, IReadOnlyList<int[]> items) =>
        -items.Sum(ids => SequenceScorer.Score(model, ids).LogLikelihood) / items.Sum(ids => ids.Length + 1);

    [TestMethod]
    public void EmWeightsScoreDevAtLeastAsWellAsEveryComponentAndEveryFixedMix()
    {
        var (vocabulary, train, dev) = Data();
        var bigram = NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), train);
        var fourgram = NGramModel.Fit(vocabulary, 4, Smoothing.AddK(0.1), train);
        var weights = InterpolatedModel.FitWeights([bigram, fourgram], dev);
        Assert.AreEqual(1.0, weights.Sum(), 1e-12);
        double mixed = Nll(new InterpolatedModel([bigram, fourgram], weights), dev);
        Assert.IsLessThan(Nll(bigram, dev), mixed);
        Assert.IsLessThan(Nll(fourgram, dev), mixed);
        // The dev likelihood is concave in the weights: EM's optimum beats every point of a grid.
        foreach (double w in Enumerable.Range(0, 21).Select(i => i / 20.0))
            Assert.IsLessThanOrEqualTo(Nll(new InterpolatedModel([bigram, fourgram], [w, 1 - w]), dev) + 1e-9, mixed, $"w = {w}");
    }

    [TestMethod]
    public void AMixtureKeepsTheContractAndSavesItsComponents()
    {
        var (vocabulary, train, dev) = Data();
        var mixture = new InterpolatedModel([NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), train), NGramModel.Fit(vocabulary, 3, Smoothing.KneserNey(), train)], [0.3, 0.7]);
        LanguageModelContract.Verify(mixture, ["", "emma", "isabella", new string('z', 30)], 1e-12);
        StringAssert.Contains(mixture.Describe()[1].Value, "weight 0.7000: 3-gram model, kneser-ney");
    }

    [TestMethod]
    public void TheEstimatorFitsOnDevAndTheSavedMixtureScoresIdentically()
    {
        var ml = new MLContext(seed: 1);
        var all = ml.Data.LoadNames(Names.Take(3500).ToList());
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(all);
        var train = ids.Transform(ml.Data.LoadNames(Names.Take(3000).ToList()));
        var dev = ids.Transform(ml.Data.LoadNames(Names.Skip(3000).Take(500).ToList()));
        var bigram = ml.Makemore().Trainers.NGram(2).Fit(train);
        var kn = ml.Makemore().Trainers.NGram(4, Smoothing.KneserNey()).Fit(train);
        var fitted = ml.Makemore().Trainers.Interpolate(bigram, kn).Fit(dev);
        var mixture = new TransformerChain<ITransformer>(ids, fitted);
        Assert.HasCount(2, fitted.Model.Weights);
        Assert.IsGreaterThan(fitted.Model.Weights[0], fitted.Model.Weights[1], "the 4-gram Kneser–Ney carries more weight than an add-one bigram");
        using var stream = new MemoryStream();
        ml.Makemore().Save(mixture, all.Schema, stream);
        var loaded = new MLContext().Makemore().Load(new MemoryStream(stream.ToArray()), out _);
        var names = ml.Data.LoadNames(["emma", "zoe", "xavier"]);
        CollectionAssert.AreEqual(mixture.Transform(names).GetColumn<double>(ScoreColumns.LogLikelihood).ToArray(),
            loaded.Transform(names).GetColumn<double>(ScoreColumns.LogLikelihood).ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => ml.Makemore().Trainers.Interpolate(bigram));
    }
}

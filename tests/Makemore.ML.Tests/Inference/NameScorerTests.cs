using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Inference;

[TestClass]
public sealed class NameScorerTests
{
    [TestMethod]
    public void EightThreadsScoreExactlyAsOnePredictionEngine()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadNames(TestData.Tiny);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(4, Smoothing.KneserNey())).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
        var random = new Random(5);
        string letters = string.Concat(TestData.Tiny).Distinct().Aggregate("", (s, c) => s + c);
        var names = Enumerable.Range(0, 2000).Select(_ => new string(Enumerable.Range(0, random.Next(0, 9)).Select(_ => letters[random.Next(letters.Length)]).ToArray())).ToArray();
        var expected = names.Select(n => engine.Predict(new NameInput { Name = n }).LogLikelihood).ToArray();

        var scorer = NameScorer.From(model);
        var actual = new double[names.Length];
        Parallel.For(0, names.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = scorer.Score(names[i]).LogLikelihood);
        int mismatches = Enumerable.Range(0, names.Length).Count(i => actual[i] != expected[i]);
        Assert.AreEqual(0, mismatches, "scores that differ from the PredictionEngine's");
        var one = scorer.Score("emma");
        var viaEngine = engine.Predict(new NameInput { Name = "emma" });
        CollectionAssert.AreEqual(viaEngine.NextCharacterProbabilities, one.NextCharacterProbabilities);
        Assert.AreEqual(viaEngine.Perplexity, one.Perplexity);
    }
}

using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Persistence;



/// <summary>Count models as ML.NET models: Fit, Save, Load in a fresh context, PredictionEngine.</summary>
[TestClass]
public sealed class PipelineTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IEstimator<ITransformer> Pipeline(int order, Smoothing smoothing) =>
        Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(Ml.Makemore().Trainers.NGram(order, smoothing));

    [TestMethod]
    [DataRow(2, "add-k:1")]
    [DataRow(3, "kneser-ney")]
    [DataRow(5, "kneser-ney:0.8")]
    public void NGramPipelinePassesTheWorkout(int order, string smoothing)
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var score = Ml.Data.LoadNames(["emma", "ella", "mma", "a"]);
        var bad = Ml.Data.LoadFromEnumerable([new { Label = 1f }]);
        EstimatorWorkout.Run(Pipeline(order, Smoothing.Parse(smoothing)), train, score, bad, "Name",
            ScoreColumns.LogLikelihood, ScoreColumns.NllPerCharacter, ScoreColumns.Perplexity,
            ScoreColumns.PredictedCharacterCount, ScoreColumns.NextCharacterProbabilities, "Ids");
    }

    [TestMethod]
    public void CharacterIdsPassTheWorkout()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var bad = Ml.Data.LoadFromEnumerable([new { Name = 3f }]);
        EstimatorWorkout.Run(Ml.Transforms.Text.MapCharactersToIds("Ids", "Name"), train, train, bad, "Name", "Ids");
    }

    [TestMethod]
    public void TrainerRefusesIdsThatDidNotComeFromTheVocabularyTransform()
    {
        var data = Ml.Data.LoadFromEnumerable([new { Ids = new[] { 1, 2 } }]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Makemore().Trainers.NGram().Fit(data));
        StringAssert.Contains(error.Message, "MapCharactersToIds");
    }

    [TestMethod]
    public void PredictionEngineAfterLoadInFreshContextGivesIdenticalScores()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var model = Pipeline(3, Smoothing.KneserNey()).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"makemore-{Guid.NewGuid():N}.zip");
        try
        {
            Ml.Model.Save(model, train.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(path, out _);
            var before = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
            var after = fresh.Model.CreatePredictionEngine<NameInput, NameScore>(loaded);
            foreach (string name in new[] { "emma", "olivia", "mila", "a" })
            {
                var b = before.Predict(new NameInput { Name = name });
                var a = after.Predict(new NameInput { Name = name });
                Assert.AreEqual(b.LogLikelihood, a.LogLikelihood, 0.0, name);
                Assert.AreEqual(name.Length + 1, a.PredictedCharacterCount);
                Assert.AreEqual(-a.LogLikelihood / a.PredictedCharacterCount, a.NllPerCharacter, 1e-12);
                Assert.AreEqual(Math.Exp(a.NllPerCharacter), a.Perplexity, 1e-9);
                CollectionAssert.AreEqual(b.NextCharacterProbabilities, a.NextCharacterProbabilities);
                Assert.AreEqual(1.0, a.NextCharacterProbabilities.Sum(), 1e-5);
            }
            // The recovered model is the trained one.
            var recovered = (NGramModel)MakemoreModel.GetLanguageModel(loaded);
            var trained = (NGramModel)MakemoreModel.GetLanguageModel(model);
            Assert.AreEqual(trained.Order, recovered.Order);
            Assert.AreEqual(trained.Smoothing, recovered.Smoothing);
            Assert.AreEqual(trained.Vocabulary, recovered.Vocabulary);
            Assert.AreEqual(trained.Vocabulary, MakemoreModel.GetVocabulary(loaded));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ScoresAgreeWithTheModelDirectly()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var model = Pipeline(2, Smoothing.AddK(1)).Fit(train);
        var ngram = MakemoreModel.GetLanguageModel(model);
        var engine = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
        var score = engine.Predict(new NameInput { Name = "emma" });
        var direct = SequenceScorer.Score(ngram, ngram.Vocabulary.Encode("emma"));
        Assert.AreEqual(direct.LogLikelihood, score.LogLikelihood, 1e-12);
        var metrics = Ml.Makemore().Evaluate(model.Transform(Ml.Data.LoadNames(["emma"])));
        Assert.AreEqual(direct.NllPerCharacter, metrics.NllPerCharacter, 1e-12);
        Assert.AreEqual(5L, metrics.PredictedCharacterCount);
        Assert.AreEqual(metrics.NllPerCharacter / Math.Log(2), metrics.BitsPerCharacter, 1e-12);
    }

    [TestMethod]
    public void UnknownCharacterErrorNamesTheTextAndColumn()
    {
        var model = Ml.Transforms.Text.MapCharactersToIds().Append(Ml.Makemore().Trainers.NGram()).Fit(Ml.Data.LoadNames(TestData.Tiny));
        var engine = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
        var error = Assert.Throws<Exception>(() => engine.Predict(new NameInput { Name = "emmë" }));
        string message = error.ToString();
        StringAssert.Contains(message, "'emmë'");
        StringAssert.Contains(message, "'ë' (U+00EB)");
        StringAssert.Contains(message, "column 4");
    }

    [TestMethod]
    [DataRow(UnknownCharacterPolicy.Skip, 4)]
    [DataRow(UnknownCharacterPolicy.MapToUnknown, 6)]
    public void UnknownCharacterPolicies(UnknownCharacterPolicy policy, int expectedCount)
    {
        var model = Ml.Transforms.Text.MapCharactersToIds(unknownCharacters: policy).Append(Ml.Makemore().Trainers.NGram())
            .Fit(Ml.Data.LoadNames(TestData.Tiny));
        var score = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(model).Predict(new NameInput { Name = "emmä" + "x" });
        Assert.AreEqual(expectedCount, score.PredictedCharacterCount);
        Assert.IsTrue(double.IsFinite(score.LogLikelihood));
    }
}

[TestClass]
public sealed class MetadataTests
{
    [TestMethod]
    public void MetadataTravelsWithTheSavedModel()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadNames(TestData.Tiny);
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(data);
        var ngram = (NGramModel)MakemoreModel.GetLanguageModel(ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram()).Fit(data));
        var scorer = LanguageModelTransformer.Create(new MLContext(), ngram, "Ids", ids.Transform(data), new Dictionary<string, string> { ["dev_nll"] = "2.5", ["data"] = "tiny" });
        var chain = new Microsoft.ML.Data.TransformerChain<ITransformer>(ids, scorer);
        Assert.AreEqual("2.5", MakemoreModel.GetMetadata(chain)["dev_nll"]);
        using var stream = new MemoryStream();
        ml.Model.Save(chain, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        Assert.AreEqual("tiny", MakemoreModel.GetMetadata(loaded)["data"]);
        Assert.AreEqual(ngram.Order, ((NGramModel)MakemoreModel.GetLanguageModel(loaded)).Order);
        Assert.HasCount(0, MakemoreModel.GetMetadata(ids));
    }
}

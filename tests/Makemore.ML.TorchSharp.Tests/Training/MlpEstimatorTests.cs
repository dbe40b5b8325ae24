using Microsoft.ML;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.Tests.Persistence;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// The MLP family trained for seconds on tiny settings: the loss goes down, dev evaluation keeps the best model, the
/// estimator passes the workout (schema, bad input, save → load identical) and the model keeps the contract.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class MlpEstimatorTests
{
    private static readonly IReadOnlyList<string> Names = NameList.Read(TestData.BundledNamesPath);

    private static MlpEstimator.Options Tiny(MlpKind kind, int steps = 300)
    {
        var options = MlpEstimator.Options.ForLecture(kind);
        options.EmbeddingSize = 4;
        options.HiddenSize = 32;
        options.Training.Steps = steps;
        options.Training.EvaluationInterval = 100;
        options.Training.Schedule = StepSchedule.Decay(0.1, 0.1, steps / 2);
        return options;
    }

    [TestMethod]
    [DataRow(MlpKind.Mlp)]
    [DataRow(MlpKind.BatchNormMlp)]
    [DataRow(MlpKind.WaveNet)]
    public void LossGoesDownAndTheBestDevModelIsKept(MlpKind kind)
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(2000).Select(n => vocabulary.Encode(n)).ToList();
        var dev = Names.Skip(2000).Take(500).Select(n => vocabulary.Encode(n)).ToList();
        var estimator = new MlpEstimator(new MLContext(), Tiny(kind, 1000));
        var (model, result) = estimator.Train(vocabulary, train, dev);
        Assert.AreEqual(1000, result.History.Count);
        double first = result.History.Take(20).Average(p => p.DataLoss), last = result.History.TakeLast(100).Average(p => p.DataLoss);
        Assert.IsLessThan(first - 0.4, last, $"{kind}: the training loss falls by more than 0.4 nats ({first:F3} → {last:F3})");
        double devNll = dev.Sum(ids => -SequenceScorer.Score(model, ids).LogLikelihood) / dev.Sum(ids => ids.Length + 1);
        Assert.IsLessThan(2.75, devNll, $"{kind}: dev NLL {devNll:F4} beats a unigram-level 2.75 after 1,000 tiny steps");
        Assert.AreEqual(result.BestDevLoss!.Value, devNll, 1e-4, "the returned model is the best one on dev, scored in plain C#");
    }

    [TestMethod]
    [DataRow(MlpKind.Mlp)]
    [DataRow(MlpKind.WaveNet)]
    public void MlpPipelinePassesTheWorkoutAndTheContract(MlpKind kind)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadNames(Names.Take(300).ToList());
        var score = ml.Data.LoadNames(["emma", "ava", "a", "isabella"]);
        var bad = ml.Data.LoadFromEnumerable([new { Label = 1f }]);
        var pipeline = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(ml.Makemore().Trainers.Mlp(Tiny(kind, 50)));
        var model = EstimatorWorkout.Run(pipeline, train, score, bad, "Name",
            ScoreColumns.LogLikelihood, ScoreColumns.NllPerCharacter, ScoreColumns.NextCharacterProbabilities);
        var languageModel = MakemoreModel.GetLanguageModel(model);
        Assert.IsInstanceOfType<MlpModel>(languageModel);
        LanguageModelContract.Verify(languageModel, ["", "emma", "isabella", new string('a', 20)], 1e-9);
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameModel()
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(500).Select(n => vocabulary.Encode(n)).ToList();
        var a = new MlpEstimator(new MLContext(), Tiny(MlpKind.BatchNormMlp, 100)).Train(vocabulary, train).Model;
        var b = new MlpEstimator(new MLContext(), Tiny(MlpKind.BatchNormMlp, 100)).Train(vocabulary, train).Model;
        CollectionAssert.AreEqual(a.OutputWeight.ToArray(), b.OutputWeight.ToArray());
        var other = Tiny(MlpKind.BatchNormMlp, 100);
        other.Training.Seed = 7;
        CollectionAssert.AreNotEqual(a.OutputWeight.ToArray(), new MlpEstimator(new MLContext(), other).Train(vocabulary, train).Model.OutputWeight.ToArray());
    }

    [TestMethod]
    public void WarmStartContinuesFromASavedModel()
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(1000).Select(n => vocabulary.Encode(n)).ToList();
        var options = Tiny(MlpKind.Mlp, 200);
        var first = new MlpEstimator(new MLContext(), options).Train(vocabulary, train).Model;
        options.InitialModel = first;
        options.Training.Steps = 1;
        options.Training.LearningRate = 1e-9;
        options.Training.Schedule = new ConstantSchedule();
        var continued = new MlpEstimator(new MLContext(), options).Train(vocabulary, train).Model;
        CollectionAssert.AreEqual(first.Embedding.ToArray(), continued.Embedding.ToArray().Select((x, i) => x).ToArray(),
            "one step at lr 1e-9 keeps the saved embedding to float precision");
    }

    [TestMethod]
    public void FitReportsTheKindTheDataEachDevEvaluationAndTheBestStepToTheUsersLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) if (e.Source.StartsWith("Makemore", StringComparison.Ordinal)) messages.Add(e.RawMessage); };
        var ids = ml.Transforms.Text.MapCharactersToIds().Fit(ml.Data.LoadNames(Names.Take(300).ToList()));
        var train = ids.Transform(ml.Data.LoadNames(Names.Take(200).ToList()));
        var dev = ids.Transform(ml.Data.LoadNames(Names.Skip(200).Take(100).ToList()));
        var fitted = ml.Makemore().Trainers.Mlp(Tiny(MlpKind.Mlp, steps: 200)).Fit(train, dev);
        lock (messages)
        {
            string log = string.Join("\n", messages);
            Assert.IsTrue(messages.Any(m => m.StartsWith("Training '", StringComparison.Ordinal) && m.Contains("on 200 names", StringComparison.Ordinal) && m.Contains("100 dev names", StringComparison.Ordinal)), log);
            Assert.AreEqual(2, messages.Count(m => m.Contains("dev loss", StringComparison.Ordinal) && m.StartsWith("Step ", StringComparison.Ordinal)), log);
            Assert.IsTrue(messages.Any(m => m.StartsWith("Trained in", StringComparison.Ordinal) && m.Contains($"at step {fitted.Training.BestStep}", StringComparison.Ordinal)), log);
        }
    }
}

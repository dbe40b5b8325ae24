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
/// makemore.py's sequence models trained for seconds on tiny settings: the loss goes down, the returned model is the best
/// on dev, the estimator passes the workout (schema, bad input, save → load identical) and the model keeps the contract.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SequenceModelEstimatorTests
{
    private static readonly IReadOnlyList<string> Names = NameList.Read(TestData.BundledNamesPath);

    private static SequenceModelEstimator.Options Tiny(SequenceModelKind kind, int steps) => new()
    {
        Kind = kind,
        EmbeddingSize = 16,
        HiddenSize = 32,
        Training = new TrainingOptions { Steps = steps, EvaluationInterval = 100, LearningRate = 1e-2 },
    };

    [TestMethod]
    [DataRow(SequenceModelKind.Rnn)]
    [DataRow(SequenceModelKind.Gru)]
    [DataRow(SequenceModelKind.Lstm)]
    public void LossGoesDownAndTheBestDevModelIsKept(SequenceModelKind kind)
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(2000).Select(n => vocabulary.Encode(n)).ToList();
        var dev = Names.Skip(2000).Take(300).Select(n => vocabulary.Encode(n)).ToList();
        var estimator = new SequenceModelEstimator(new MLContext(), Tiny(kind, 300));
        var (model, result) = estimator.Train(vocabulary, train, dev);
        Assert.AreEqual(300, result.History.Count);
        double first = result.History.Take(10).Average(p => p.DataLoss), last = result.History.TakeLast(50).Average(p => p.DataLoss);
        Assert.IsLessThan(first - 0.5, last, $"{kind}: the training loss falls by more than 0.5 nats ({first:F3} → {last:F3})");
        double devNll = dev.Sum(ids => -SequenceScorer.Score(model, ids).LogLikelihood) / dev.Sum(ids => ids.Length + 1);
        Assert.IsLessThan(2.7, devNll, $"{kind}: dev NLL {devNll:F4} beats a unigram-level 2.7 after 300 tiny steps");
        Assert.AreEqual(result.BestDevLoss!.Value, devNll, 1e-4, "the returned model is the best one on dev, scored in plain C#");
        LanguageModelContract.Verify(model, ["", "emma", "isabella", new string('a', 40)], 1e-12);
    }

    [TestMethod]
    public void SequencePipelinePassesTheWorkoutAndTheContract()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadNames(Names.Take(300).ToList());
        var score = ml.Data.LoadNames(["emma", "ava", "a", "isabella"]);
        var bad = ml.Data.LoadFromEnumerable([new { Label = 1f }]);
        var pipeline = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(ml.Makemore().Trainers.Sequence(Tiny(SequenceModelKind.Gru, 30)));
        var model = EstimatorWorkout.Run(pipeline, train, score, bad, "Name",
            ScoreColumns.LogLikelihood, ScoreColumns.NllPerCharacter, ScoreColumns.NextCharacterProbabilities);
        var languageModel = MakemoreModel.GetLanguageModel(model);
        Assert.IsInstanceOfType<RecurrentModel>(languageModel);
        Assert.AreEqual(RecurrentCell.Gru, ((RecurrentModel)languageModel).Cell);
    }

    [TestMethod]
    public void ADistilledStudentMovesTowardItsTeacherAndIsScoredOnTheCharactersSeen()
    {
        // Teacher: a smooth add-1 bigram of the same names. The same GRU, same seed, trained with and without it at
        // weight 1: the distilled one ends nearer the teacher (mean KL over the dev positions), and its dev loss is
        // still the NLL of the characters seen, as plain C# scores the returned model.
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(1000).Select(n => vocabulary.Encode(n)).ToList();
        var dev = Names.Skip(1000).Take(200).Select(n => vocabulary.Encode(n)).ToList();
        var teacher = Makemore.ML.Counting.NGramModel.Fit(vocabulary, 2, Makemore.ML.Counting.Smoothing.AddK(1), train);
        double KlFromTeacher(ILanguageModel student)
        {
            var (p, q) = (new double[vocabulary.Size], new double[vocabulary.Size]);
            double sum = 0;
            int count = 0;
            foreach (int[] ids in dev)
            {
                var (t, s) = (teacher.StartDecoding(), student.StartDecoding());
                for (int i = 0; i <= ids.Length; i++, count++)
                {
                    t.NextProbabilities(p);
                    s.NextProbabilities(q);
                    for (int c = 0; c < p.Length; c++)
                        sum += p[c] * Math.Log(p[c] / q[c]);
                    if (i < ids.Length)
                    {
                        t.Append(ids[i]);
                        s.Append(ids[i]);
                    }
                }
            }
            return sum / count;
        }
        var plain = new SequenceModelEstimator(new MLContext(), Tiny(SequenceModelKind.Gru, 200)).Train(vocabulary, train, dev);
        var options = Tiny(SequenceModelKind.Gru, 200);
        (options.Teacher, options.TeacherWeight) = (teacher, 1.0);
        var distilled = new SequenceModelEstimator(new MLContext(), options).Train(vocabulary, train, dev);
        double plainKl = KlFromTeacher(plain.Model), distilledKl = KlFromTeacher(distilled.Model);
        Assert.IsLessThan(plainKl / 2, distilledKl, $"KL(teacher ‖ student): distilled {distilledKl:F4}, plain {plainKl:F4}");
        double devNll = dev.Sum(ids => -SequenceScorer.Score(distilled.Model, ids).LogLikelihood) / dev.Sum(ids => ids.Length + 1);
        Assert.AreEqual(distilled.Training.BestDevLoss!.Value, devNll, 1e-4, "dev is scored against the characters seen");

        // A checkpoint of the distilled run resumes under the same teacher and weight only.
        string folder = Directory.CreateTempSubdirectory("makemore-distil-").FullName;
        try
        {
            var first = Tiny(SequenceModelKind.Gru, 20);
            (first.Teacher, first.TeacherWeight, first.Training.CheckpointPath) = (teacher, 1.0, Path.Combine(folder, "run.ckpt"));
            new SequenceModelEstimator(new MLContext(), first).Train(vocabulary, train, dev);
            var resumed = Tiny(SequenceModelKind.Gru, 40);
            (resumed.Teacher, resumed.TeacherWeight, resumed.Training.ResumeFrom) = (teacher, 1.0, first.Training.CheckpointPath);
            Assert.AreEqual(21, new SequenceModelEstimator(new MLContext(), resumed).Train(vocabulary, train, dev).Training.FirstStep);
            resumed.TeacherWeight = 0.5;
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SequenceModelEstimator(new MLContext(), resumed).Train(vocabulary, train, dev)).Message,
                "distillation teacher");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        options.Teacher = Makemore.ML.Counting.NGramModel.Fit(CharacterVocabulary.Learn(["abc"]), 2, Makemore.ML.Counting.Smoothing.AddK(1), [[1, 2]]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SequenceModelEstimator(new MLContext(), options).Train(vocabulary, train, dev)).Message,
            "not the training data's");
        options.TeacherWeight = 0;
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceModelEstimator(new MLContext(), options));
    }

    [TestMethod]
    public void TheDevChunkBoundsMemoryNotTheResult()
    {
        // The chunk counts positions (sequences × T, at least one sequence): one sequence, a few, or all at once.
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(300).Select(n => vocabulary.Encode(n)).ToList();
        var dev = Names.Skip(300).Take(120).Select(n => vocabulary.Encode(n)).ToList();
        double Dev(int chunk)
        {
            var options = Tiny(SequenceModelKind.Transformer, 20);
            options.Training.EvaluationChunkSize = chunk;
            return new SequenceModelEstimator(new MLContext(), options).Train(vocabulary, train, dev).Training.BestDevLoss!.Value;
        }
        double whole = Dev(1_000_000);
        Assert.AreEqual(whole, Dev(1), 1e-5, "one sequence per chunk");
        Assert.AreEqual(whole, Dev(100), 1e-5, "a few sequences per chunk, the last one shorter");
    }

    [TestMethod]
    public void ACheckpointResumesOnlyUnderItsOwnDropoutRate()
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        var train = Names.Take(300).Select(n => vocabulary.Encode(n)).ToList();
        string folder = Directory.CreateTempSubdirectory("makemore-dropout-").FullName;
        try
        {
            var first = Tiny(SequenceModelKind.Transformer, 10);
            (first.Dropout, first.Training.CheckpointPath) = (0.1, Path.Combine(folder, "run.ckpt"));
            new SequenceModelEstimator(new MLContext(), first).Train(vocabulary, train);
            var resumed = Tiny(SequenceModelKind.Transformer, 20);
            (resumed.Dropout, resumed.Training.ResumeFrom) = (0.2, first.Training.CheckpointPath);
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SequenceModelEstimator(new MLContext(), resumed).Train(vocabulary, train)).Message,
                "dropout", "another dropout rate is another run: its masks and weights would silently continue a different trajectory");
            resumed.Dropout = 0;
            Assert.ThrowsExactly<ArgumentException>(() => new SequenceModelEstimator(new MLContext(), resumed).Train(vocabulary, train));
            resumed.Dropout = 0.1;
            Assert.AreEqual(11, new SequenceModelEstimator(new MLContext(), resumed).Train(vocabulary, train).Training.FirstStep);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void OptionsHoldMakemoreDefaults()
    {
        var options = new SequenceModelEstimator.Options();
        Assert.AreEqual((64, 64, 4, 4), (options.EmbeddingSize, options.HiddenSize, options.LayerCount, options.HeadCount));
        Assert.IsNull(options.BlockSize, "block size = longest item + 1");
        Assert.AreEqual((5e-4, 32, 3407L), (options.Training.LearningRate, options.Training.BatchSize, options.Training.Seed));
        Assert.AreEqual(new AdamWOptions(0.9, 0.99, 1e-8, 0.01), options.Training.Optimizer);
    }
}

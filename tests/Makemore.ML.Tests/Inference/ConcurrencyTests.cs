using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Inference;

/// <summary>
/// Scoring from many threads gives exactly the sequential answers (8 threads × 1,000,000 predictions each way), and
/// readers keep working while a writer replaces the model file.
/// </summary>
[TestClass]
public sealed class ConcurrencyTests
{
    private const int Threads = 8;
    private const int PredictionsPerThread = 1_000_000;
    private static readonly MLContext Ml = new(seed: 1);

    private static (ITransformer Model, IDataView Train, string[] Names) Trigram()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var model = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(Ml.Makemore().Trainers.NGram(3, Smoothing.KneserNey())).Fit(train);
        // 1,000 distinct strings over the vocabulary, 1–12 characters.
        var random = new Random(5);
        const string letters = "abehilmnopsv";
        var names = Enumerable.Range(0, 1000)
            .Select(i => new string(Enumerable.Range(0, 1 + random.Next(12)).Select(_ => letters[random.Next(letters.Length)]).ToArray()) + i % 10)
            .Select(n => n.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))
            .ToArray();
        return (model, train, names);
    }

    [TestMethod]
    public void EightThreadsShareOneNameScorerWithoutAMismatch()
    {
        var (model, _, names) = Trigram();
        var scorer = NameScorer.From(model);
        var expected = names.Select(n => scorer.Score(n)).ToArray();
        long mismatches = 0, done = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            for (int i = 0; i < PredictionsPerThread; i++)
            {
                int k = (i * 7 + thread * 131) % names.Length;
                var score = scorer.Score(names[k]);
                if (score.LogLikelihood != expected[k].LogLikelihood || score.NextCharacterProbabilities[1] != expected[k].NextCharacterProbabilities[1])
                    Interlocked.Increment(ref mismatches);
            }
            Interlocked.Add(ref done, PredictionsPerThread);
        });
        Assert.AreEqual((long)Threads * PredictionsPerThread, done);
        Assert.AreEqual(0, mismatches);
    }

    [TestMethod]
    public void EightThreadsWithOnePredictionEngineEachGiveTheSequentialScores()
    {
        var (model, _, names) = Trigram();
        var sequential = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
        var expected = names.Select(n => sequential.Predict(new NameInput { Name = n }).LogLikelihood).ToArray();
        long mismatches = 0, done = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            var engine = Ml.Model.CreatePredictionEngine<NameInput, NameScore>(model);
            var input = new NameInput();
            var output = new NameScore();
            for (int i = 0; i < PredictionsPerThread; i++)
            {
                int k = (i * 7 + thread * 131) % names.Length;
                input.Name = names[k];
                engine.Predict(input, ref output);
                if (output.LogLikelihood != expected[k])
                    Interlocked.Increment(ref mismatches);
            }
            Interlocked.Add(ref done, PredictionsPerThread);
        });
        Assert.AreEqual((long)Threads * PredictionsPerThread, done);
        Assert.AreEqual(0, mismatches);
    }

    [TestMethod]
    public void ReadersKeepWorkingWhileAWriterReplacesTheFile()
    {
        var (trigram, train, names) = Trigram();
        var bigram = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(Ml.Makemore().Trainers.NGram(2)).Fit(train);
        string probe = names[3];
        double[] valid = [NameScorer.From(trigram).Score(probe).LogLikelihood, NameScorer.From(bigram).Score(probe).LogLikelihood];
        string folder = Directory.CreateTempSubdirectory("makemore-readers-").FullName;
        string path = Path.Combine(folder, "m.zip");
        try
        {
            Ml.Makemore().Save(trigram, train.Schema, path);
            using var stop = new CancellationTokenSource();
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            long reads = 0;
            var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
            {
                var ml = new MLContext();
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        double score = NameScorer.From(ml.Makemore().Load(path, out var _)).Score(probe).LogLikelihood;
                        if (!valid.Contains(score))
                            failures.Add($"score {score}");
                        Interlocked.Increment(ref reads);
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{e.GetType().Name}: {e.Message}");
                    }
                }
            })).ToArray();
            for (int write = 0; write < 40; write++)
                Ml.Makemore().Save(write % 2 == 0 ? bigram : trigram, train.Schema, path);
            stop.Cancel();
            Task.WaitAll(readers);
            Assert.IsEmpty(failures, string.Join("\n", failures.Distinct().Take(5)));
            Assert.IsGreaterThan(0L, reads);
            Assert.HasCount(1, Directory.GetFiles(folder), "no temporary files left");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using Microsoft.ML;
using System.Diagnostics;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// docs/models.md: every model of the ladder trained on the lecture split with its default setting (the lectures' or
/// makemore.py's), one thread, with parameters, train / dev / test NLL, steps, wall time and ms/step; `--quick` trains
/// each neural model for a few hundred steps only (a smoke run of the same code, not the figures).
/// </summary>
internal static class ModelsTable
{
    private sealed record Entry(string Name, string Command, Func<CharacterVocabulary, List<int[]>, List<int[]>, (ILanguageModel Model, int Steps)> Train);

    public static void Run(IReadOnlyList<string> names, bool quick, IReadOnlyList<string> only)
    {
        var split = NameSplitter.Split(names, SplitProtocol.Lecture);
        var vocabulary = CharacterVocabulary.Learn(names);
        List<int[]> Encode(IEnumerable<string> items) => items.Select(n => vocabulary.Encode(n)).ToList();
        var (train, dev, test) = (Encode(split.Train), Encode(split.Dev), Encode(split.Test));
        int? quickSteps = quick ? 300 : null;
        var entries = new List<Entry>
        {
            new("bigram, add-1 counts", "makemore train --order 2", (v, t, _) => (NGramModel.Fit(v, 2, Smoothing.AddK(1), t), 0)),
            new("trigram, Kneser–Ney", "makemore train --order 3 --smoothing kneser-ney", (v, t, _) => (NGramModel.Fit(v, 3, Smoothing.KneserNey(), t), 0)),
            new("6-gram, Kneser–Ney", "makemore train --order 6 --smoothing kneser-ney", (v, t, _) => (NGramModel.Fit(v, 6, Smoothing.KneserNey(), t), 0)),
            new("neural bigram (softmax regression)", "makemore train --type softmax --steps 300",
                (v, t, _) => (new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { Training = { Steps = quickSteps ?? 300 } }).Train(v, t).Model, quickSteps ?? 300)),
        };
        foreach (var (kind, type) in new[] { (MlpKind.Mlp, "mlp"), (MlpKind.BatchNormMlp, "bn-mlp"), (MlpKind.WaveNet, "wavenet") })
            entries.Add(new(type, $"makemore train --type {type}", (v, t, d) =>
            {
                var options = MlpEstimator.Options.ForLecture(kind);
                if (quickSteps is int q)
                    (options.Training.Steps, options.Training.EvaluationInterval) = (q, q);
                return (new MlpEstimator(new MLContext(), options).Train(v, t, d).Model, options.Training.Steps);
            }));
        foreach (var kind in Enum.GetValues<SequenceModelKind>())
        {
            string type = kind == SequenceModelKind.BagOfWords ? "bow" : kind.ToString().ToLowerInvariant(); // makemore.py's --type
            entries.Add(new(type, $"makemore train --type {type} --steps 20000", (v, t, d) =>
            {
                var options = new SequenceModelEstimator.Options { Kind = kind };
                (options.Training.Steps, options.Training.EvaluationInterval) = (quickSteps ?? 20_000, quickSteps ?? 2_000);
                return (new SequenceModelEstimator(new MLContext(), options).Train(v, t, d).Model, options.Training.Steps);
            }));
        }
        // makemore.py's Transformer overfits the lecture split after ~10k steps; with dropout 0.2 and a cosine decay it keeps
        // improving: the issue's budget, 30 minutes on 2 cores, keeping the best model on dev.
        entries.Add(new("transformer, dropout 0.2, cosine lr, ≤ 30 min on 2 threads",
            "makemore train --type transformer --dropout 0.2 --steps 100000 --lr-schedule cosine --eval-every 2000 --time-limit 30 --threads 2", (v, t, d) =>
            {
                var options = new SequenceModelEstimator.Options { Kind = SequenceModelKind.Transformer, Dropout = 0.2, Threads = 2 };
                (options.Training.Steps, options.Training.EvaluationInterval) = (quickSteps ?? 100_000, quickSteps ?? 2_000);
                options.Training.Schedule = new CosineSchedule();
                options.Training.TimeLimit = quick ? null : TimeSpan.FromMinutes(30);
                int last = 0;
                options.Training.Progress = new Inline(p => last = Math.Max(last, p.Step)); // the time limit decides the steps
                var model = new SequenceModelEstimator(new MLContext(), options).Train(v, t, d).Model;
                return (model, last);
            }));
        Console.WriteLine($"| model | parameters | train | dev | test | steps | wall s | ms/step | threads | command (add `-i ../shared/data/names.txt`) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var entry in entries.Where(e => only.Count == 0 || only.Any(o => e.Name.Contains(o, StringComparison.OrdinalIgnoreCase))))
        {
            var stopwatch = Stopwatch.StartNew();
            var (model, steps) = entry.Train(vocabulary, train, dev);
            double seconds = stopwatch.Elapsed.TotalSeconds;
            string parameters = model switch
            {
                NGramModel ngram => $"{ngram.DistinctNGramCount:N0} n-grams",
                SoftmaxRegressionModel softmax => $"{softmax.Weights.Length:N0}",
                MlpModel mlp => $"{mlp.ParameterCount:N0}",
                _ => model.Describe().FirstOrDefault(d => d.Key == "parameters").Value ?? "",
            };
            string msPerStep = steps > 0 ? $"{seconds * 1000 / steps:F2}" : "-";
            Console.WriteLine($"| {entry.Name} | {parameters} | {Nll(model, train):F4} | {Nll(model, dev):F4} | {Nll(model, test):F4} | {steps:N0} | {seconds:F1} | {msPerStep} | {(entry.Command.Contains("--threads 2") ? 2 : 1)} | `{entry.Command}` |");
        }
    }

    // Progress reported on the training thread (Progress<T> would post it to the thread pool, after Train returns).
    private sealed class Inline(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static double Nll(ILanguageModel model, List<int[]> items) =>
        -items.Sum(ids => SequenceScorer.Score(model, ids).LogLikelihood) / items.Sum(ids => ids.Length + 1);
}

using Microsoft.ML;
using System.Diagnostics;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Tests.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// docs/name-tools.md: how well each model's plausibility separates real names from non-names, and how fast it makes
/// and judges names. Lecture split; the plausibility table of each model is made from its training names; dev names
/// against 1,000 random strings and 1,000 keyboard-mash strings (<see cref="Impostors"/>) of the dev lengths; AUC of the
/// NLL per character (the ranking the percentile reports). Neural models use quick settings (a few hundred steps).
/// </summary>
internal static class NamesBenchmark
{
    private sealed record Entry(string Name, Func<CharacterVocabulary, List<int[]>, List<int[]>, ILanguageModel> Train);

    public static void Run(IReadOnlyList<string> names)
    {
        var split = NameSplitter.Split(names, SplitProtocol.Lecture);
        var vocabulary = CharacterVocabulary.Learn(names);
        List<int[]> Encode(IEnumerable<string> items) => items.Select(n => vocabulary.Encode(n)).ToList();
        var (train, dev) = (Encode(split.Train), Encode(split.Dev));
        var random = Encode(Impostors.RandomStrings(split.Dev, 1_000, seed: 1));
        var mash = Encode(Impostors.KeyboardMash(split.Dev, 1_000, seed: 2));
        var novelty = NoveltyClassifier.From(split);
        var entries = new List<Entry>
        {
            new("bigram, add-1", (v, t, _) => NGramModel.Fit(v, 2, Smoothing.AddK(1), t)),
            new("trigram, add-1", (v, t, _) => NGramModel.Fit(v, 3, Smoothing.AddK(1), t)),
        };
        foreach (int order in new[] { 2, 3, 4, 5, 6, 8 })
            entries.Add(new($"{order}-gram, Kneser–Ney", (v, t, _) => NGramModel.Fit(v, order, Smoothing.KneserNey(), t)));
        entries.Add(new("softmax trigram (300 steps)", (v, t, _) => new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { BlockSize = 2, Threads = 1, Training = { Steps = 300 } }).Train(v, t).Model));
        entries.AddRange(BriefNeuralModels.All(2_000).Select(m => new Entry($"{m.Name} (2,000 steps)", m.Train)));
        Console.WriteLine("| model | AUC dev vs random | AUC dev vs keyboard mash | dev median percentile | samples: new / in train / in dev-test | sampling names/s | constrained names/s | scoring names/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var entry in entries)
        {
            var model = entry.Train(vocabulary, train, dev);
            var table = PlausibilityTable.FromSequences(model, train);
            List<double> Plausibility(List<int[]> items) => items.Select(ids => -SequenceScorer.Score(model, ids).NllPerCharacter).ToList();
            var devScores = Plausibility(dev);
            double aucRandom = Impostors.Auc(devScores, Plausibility(random));
            double aucMash = Impostors.Auc(devScores, Plausibility(mash));
            double medianPercentile = devScores.Select(s => table.Percentile(-s)).Order().ElementAt(devScores.Count / 2);
            var generator = new NameGenerator(model);
            var scorer = new NameScorer(model, table);
            _ = generator.Generate(1_000, new SamplingOptions { Seed = 2 }); // warm up (JIT) before timing
            _ = split.Dev.Take(1_000).Select(scorer.Judge).ToList();
            var stopwatch = Stopwatch.StartNew();
            var samples = generator.Generate(10_000, new SamplingOptions { Seed = 1 });
            double samplingRate = samples.Count / stopwatch.Elapsed.TotalSeconds;
            var report = novelty.Report(samples);
            stopwatch.Restart();
            int constrained = generator.Generate(10_000, new SamplingOptions
            {
                Seed = 1, Constraints = new NameConstraints { StartsWith = "a", EndsWith = "n", ExcludedCharacters = "qxz", MinLength = 4, MaxLength = 8 },
            }).Count;
            double constrainedRate = constrained / stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            int scored = 0;
            while (stopwatch.ElapsedMilliseconds < 1000)
                foreach (string name in split.Dev)
                {
                    _ = scorer.Judge(name);
                    scored++;
                }
            double scoringRate = scored / stopwatch.Elapsed.TotalSeconds;
            Console.WriteLine($"| {entry.Name} | {aucRandom:F4} | {aucMash:F4} | {medianPercentile:F1} | {100 * report.NewFraction:F1}% / {100 * report.InTrainFraction:F1}% / {100 * report.InDevTestFraction:F1}% | {samplingRate:N0} | {constrainedRate:N0} | {scoringRate:N0} |");
        }
    }
}

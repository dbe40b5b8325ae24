using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Scoring and sampling throughput of every model kind on one core: <c>NameScorer</c> (one pass for the scoring
/// columns) beside the former two passes (score, then decode again for the next-character column), ML.NET's
/// <c>PredictionEngine</c> over the same model, and <c>NameGenerator</c>. Neural models are trained briefly (the
/// speed depends on the sizes, and sampling on the lengths drawn, not on the quality). Names are the lecture's dev part.
/// </summary>
internal static class ScoringTable
{
    private sealed record Entry(string Name, Func<CharacterVocabulary, List<int[]>, List<int[]>, ILanguageModel> Train);

    public static void Run(IReadOnlyList<string> names, IReadOnlyList<string> only, int steps)
    {
        TorchSharp.TorchRuntime.EnsureLoaded();
        TorchSharp.TorchRuntime.SetThreads(1);
        var split = NameSplitter.Split(names, SplitProtocol.Lecture);
        var vocabulary = CharacterVocabulary.Learn(names);
        List<int[]> Encode(IEnumerable<string> items) => items.Select(n => vocabulary.Encode(n)).ToList();
        var (train, dev) = (Encode(split.Train), Encode(split.Dev));
        var entries = new List<Entry>
        {
            new("bigram, add-1", (v, t, _) => NGramModel.Fit(v, 2, Smoothing.AddK(1), t)),
            new("6-gram, Kneser–Ney", (v, t, _) => NGramModel.Fit(v, 6, Smoothing.KneserNey(), t)),
            new("softmax (trigram)", (v, t, _) => new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { BlockSize = 2, Training = { Steps = 50 } }).Train(v, t).Model),
        };
        entries.AddRange(BriefNeuralModels.All(steps).Select(m => new Entry(m.Name, m.Train)));
        var devNames = split.Dev.ToArray();
        var ml = new MLContext(seed: 0);
        Console.WriteLine($"| model (neural: {steps:N0} training steps) | NameScorer names/s | two passes names/s | one pass ÷ two | PredictionEngine names/s | sampling names/s | mean sampled length |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var entry in entries.Where(e => only.Count == 0 || only.Any(o => e.Name.Contains(o, StringComparison.OrdinalIgnoreCase))))
        {
            var model = entry.Train(vocabulary, train, dev);
            GC.Collect(); // the training's garbage is not the scorer's cost
            GC.WaitForPendingFinalizers();
            var scorer = new NameScorer(model);
            double scorerRate = Rate(devNames.Length, () => { foreach (string n in devNames) scorer.Score(n); });
            var next = new double[vocabulary.Size];
            double twoPassRate = Rate(devNames.Length, () =>
            {
                foreach (string n in devNames)
                {
                    int[] ids = vocabulary.Encode(n);
                    SequenceScorer.Score(model, ids);
                    SequenceScorer.NextProbabilities(model, ids, next);
                }
            });
            var input = ml.Data.LoadNames(devNames);
            var ids = ml.Transforms.Text.MapCharactersToIds().Fit(input);
            var chain = new TransformerChain<ITransformer>(ids, LanguageModelTransformer.Create(new MLContext(), model, "Ids", ids.Transform(input)));
            var engine = ml.Model.CreatePredictionEngine<NameInput, NameScore>(chain);
            var row = new NameInput();
            double engineRate = Rate(devNames.Length, () => { foreach (string n in devNames) { row.Name = n; engine.Predict(row); } });
            var generator = new NameGenerator(model);
            const int Samples = 2_000;
            IReadOnlyList<string> drawn = [];
            double sampleRate = Rate(Samples, () => drawn = generator.Generate(Samples, new SamplingOptions { Seed = 1, MaxLength = 50 }));
            Console.WriteLine($"| {entry.Name} | {scorerRate:N0} | {twoPassRate:N0} | {scorerRate / twoPassRate:F2} | {engineRate:N0} | {sampleRate:N0} | {drawn.Average(n => n.Length):F1} |");
        }
    }

    // Items per second, the best of 3 timed runs after at least a second of warm-up: .NET's tiered JIT recompiles hot
    // methods in the background after a delay, so a short warm-up timed the first method measured on unoptimised code
    // (the 6-gram's first column read 32k names/s against 177k for the same work measured next).
    private static double Rate(int items, Action run)
    {
        var warmUp = Stopwatch.StartNew();
        do
            run();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(1));
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            run();
            best = Math.Min(best, stopwatch.Elapsed.TotalSeconds);
        }
        return items / best;
    }
}

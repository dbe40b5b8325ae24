using System.Diagnostics;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// How cost grows: Kneser–Ney fit and scoring time against data size (the names repeated with a suffix per copy, so
/// the copies are new names) and against order, and the TorchSharp MLP's ms/step against its hidden size.
/// <c>scaling [--quick] [NAMES]</c>.
/// </summary>
internal static class ScalingTable
{
    public static void Run(IReadOnlyList<string> names, bool quick)
    {
        int rounds = quick ? 3 : 5;
        Console.WriteLine($"data: copies of the {names.Count:N0} names, copy k > 0 with k in base 26 (a–z) appended; {Environment.ProcessorCount} cores, .NET {Environment.Version}; "
            + $"fit: interleaved, every cell fitted once per round, median of {rounds} rounds after a warm-up; scoring: `NameScorer.Score` over the original names, median of 3 passes");
        Console.WriteLine();
        var one = Encoded(names);
        var warmUp = Stopwatch.StartNew(); // tiered JIT: the first cell measured would otherwise run unoptimised code
        while (warmUp.Elapsed < TimeSpan.FromSeconds(quick ? 0.3 : 1))
            NGramModel.Fit(one.Vocabulary, 3, Smoothing.KneserNey(), one.Sequences);

        var orders = Enumerable.Range(2, NGramModel.MaxOrder - 1).ToArray();
        var byOrder = Interleaved(orders, rounds, order => NGramModel.Fit(one.Vocabulary, order, Smoothing.KneserNey(), one.Sequences));
        Console.WriteLine("| modified KN, 1× data | distinct n-grams | fit ms | fit ÷ previous order | n-grams ÷ previous | ns per distinct n-gram | scoring names/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        for (int k = 0; k < orders.Length; k++)
        {
            var (ms, model) = byOrder[k];
            string step = k > 0 ? $"{ms / byOrder[k - 1].Ms:F2}" : "";
            string grams = k > 0 ? $"{model.DistinctNGramCount / (double)byOrder[k - 1].Model.DistinctNGramCount:F2}" : "";
            Console.WriteLine($"| order {orders[k]} | {model.DistinctNGramCount:N0} | {ms:F1} | {step} | {grams} | {ms * 1e6 / model.DistinctNGramCount:F0} | {ScoringRate(model, names):N0} |");
        }
        Console.WriteLine();

        var sizes = quick ? new[] { 1, 10 } : [1, 10, 100];
        var data = sizes.ToDictionary(c => c, c => c == 1 ? one : Encoded(Copies(names, c)));
        var cells = new[] { 3, 6 }.SelectMany(order => sizes.Select(copies => (Order: order, Copies: copies))).ToArray();
        var bySize = Interleaved(cells, rounds, cell => NGramModel.Fit(data[cell.Copies].Vocabulary, cell.Order, Smoothing.KneserNey(), data[cell.Copies].Sequences));
        Console.WriteLine("| modified KN | data | names | distinct n-grams | fit ms | fit ms per 100k names | scoring names/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        for (int k = 0; k < cells.Length; k++)
        {
            var (order, copies) = cells[k];
            var (ms, model) = bySize[k];
            int count = data[copies].Sequences.Count;
            Console.WriteLine($"| order {order} | {copies}× | {count:N0} | {model.DistinctNGramCount:N0} | {ms:F1} | {ms * 100_000 / count:F2} | {ScoringRate(model, names):N0} |");
        }
        Console.WriteLine();
        MlpSteps(names, quick);
    }

    // Every cell fitted once per round, rounds after each other: the cells share the machine's moments; the median per cell.
    private static (double Ms, NGramModel Model)[] Interleaved<T>(T[] cells, int rounds, Func<T, NGramModel> fit)
    {
        var times = cells.Select(_ => new List<double>()).ToArray();
        var models = new NGramModel[cells.Length];
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < cells.Length; k++)
            {
                long start = Stopwatch.GetTimestamp();
                models[k] = fit(cells[k]);
                times[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        return cells.Select((_, k) => (times[k].Order().ElementAt(rounds / 2), models[k])).ToArray();
    }

    private static (CharacterVocabulary Vocabulary, List<int[]> Sequences) Encoded(IReadOnlyList<string> names)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        return (vocabulary, names.Select(n => vocabulary.Encode(n)).ToList());
    }

    private static void MlpSteps(IReadOnlyList<string> names, bool quick)
    {
        // Warm-up: the process's first training needs ~2,500 steps (JIT of TorchSharp, TensorPrimitives and the step) to
        // reach its steady ms/step, so the first size runs a throw-away training first and each size skips 1,000 steps.
        int steps = quick ? 500 : 2_000;
        const int WarmUp = 1_000;
        var (vocabulary, sequences) = Encoded(names);
        Console.WriteLine($"| TorchSharp MLP (lecture part 2: block 3, emb 10), batch 32, 1 thread | parameters | ms/step ({steps:N0} steps after {WarmUp}) | µs per 1k parameters |");
        Console.WriteLine("|---|---|---|---|");
        var throwAway = MlpEstimator.Options.ForLecture(MlpKind.Mlp);
        (throwAway.Threads, throwAway.Training.Steps, throwAway.Training.EvaluationInterval) = (1, 3_000, int.MaxValue);
        new MlpEstimator(new MLContext(), throwAway).Train(vocabulary, sequences);
        foreach (int hidden in quick ? new[] { 100, 400 } : [50, 100, 200, 400, 800, 1600])
        {
            var options = MlpEstimator.Options.ForLecture(MlpKind.Mlp);
            options.HiddenSize = hidden;
            options.Threads = 1;
            options.Training.Steps = WarmUp + steps;
            options.Training.EvaluationInterval = int.MaxValue;
            var (model, training) = new MlpEstimator(new MLContext(), options).Train(vocabulary, sequences);
            double ms = (training.History[^1].Elapsed - training.History[WarmUp - 1].Elapsed).TotalMilliseconds / steps;
            Console.WriteLine($"| hidden {hidden} | {model.ParameterCount:N0} | {ms:F3} | {ms * 1000 / (model.ParameterCount / 1000.0):F2} |");
        }
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);
    }

    /// <summary>The names, then copies with a suffix naming the copy: new names with new n-grams at their ends.</summary>
    private static List<string> Copies(IReadOnlyList<string> names, int copies)
    {
        var all = new List<string>(names.Count * copies);
        for (int k = 0; k < copies; k++)
        {
            string suffix = Base26(k);
            foreach (string name in names)
                all.Add(name + suffix);
        }
        return all;
    }

    private static string Base26(int k)
    {
        string s = "";
        for (; k > 0; k /= 26)
            s = (char)('a' + k % 26) + s;
        return s;
    }

    private static double ScoringRate(ILanguageModel model, IReadOnlyList<string> names)
    {
        var scorer = new NameScorer(model);
        void ScoreAll()
        {
            foreach (string name in names)
                scorer.Score(name);
        }
        ScoreAll();
        return Timing.Rate(names.Count, 3, ScoreAll);
    }
}

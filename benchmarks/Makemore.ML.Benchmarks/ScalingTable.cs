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
        int runs = quick ? 3 : 5;
        Console.WriteLine($"data: copies of the {names.Count:N0} names, copy k > 0 with k in base 26 (a–z) appended; {Environment.ProcessorCount} cores, .NET {Environment.Version}; fit: median of {runs}, scoring: `NameScorer.Score` over the original names, median of 3 passes");
        Console.WriteLine();
        // The order sweep first: measured after the 100× fits (a large heap), orders 7–8 read 2–3× slower than here.
        Console.WriteLine("| modified KN, 1× data | distinct n-grams | fit ms | fit ÷ previous order | n-grams ÷ previous | ns per distinct n-gram | scoring names/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        double previousMs = 0, previousGrams = 0;
        for (int order = 2; order <= NGramModel.MaxOrder; order++)
        {
            var (fitMs, model) = Fit(names, order, runs);
            string step = previousMs > 0 ? $"{fitMs / previousMs:F2}" : "";
            string grams = previousGrams > 0 ? $"{model.DistinctNGramCount / previousGrams:F2}" : "";
            Console.WriteLine($"| order {order} | {model.DistinctNGramCount:N0} | {fitMs:F1} | {step} | {grams} | {fitMs * 1e6 / model.DistinctNGramCount:F0} | {ScoringRate(model, names):N0} |");
            (previousMs, previousGrams) = (fitMs, model.DistinctNGramCount);
        }
        Console.WriteLine();
        Console.WriteLine("| modified KN | data | names | distinct n-grams | fit ms | fit ms per 100k names | scoring names/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int order in new[] { 3, 6 })
            foreach (int copies in quick ? new[] { 1, 10 } : [1, 10, 100])
            {
                var data = Copies(names, copies);
                var (fitMs, model) = Fit(data, order, copies == 100 ? Math.Min(runs, 3) : runs);
                Console.WriteLine($"| order {order} | {copies}× | {data.Count:N0} | {model.DistinctNGramCount:N0} | {fitMs:F1} | {fitMs * 100_000 / data.Count:F2} | {ScoringRate(model, names):N0} |");
            }
        Console.WriteLine();
        MlpSteps(names, quick);
    }

    private static void MlpSteps(IReadOnlyList<string> names, bool quick)
    {
        int steps = quick ? 200 : 1_000;
        const int WarmUp = 100;
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
        Console.WriteLine($"| TorchSharp MLP (lecture part 2: block 3, emb 10), batch 32, 1 thread | parameters | ms/step ({steps:N0} steps after {WarmUp}) | µs per 1k parameters |");
        Console.WriteLine("|---|---|---|---|");
        foreach (int hidden in quick ? new[] { 100, 400 } : [50, 100, 200, 400, 800, 1600])
        {
            var options = MlpOptions.ForLecture(MlpKind.Mlp);
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

    private static (double Ms, NGramModel Model) Fit(IReadOnlyList<string> names, int order, int runs)
    {
        var vocabulary = CharacterVocabulary.Learn(names);
        var sequences = names.Select(n => vocabulary.Encode(n)).ToList();
        NGramModel model = NGramModel.Fit(vocabulary, order, Smoothing.KneserNey(), sequences);
        double ms = Timing.Milliseconds(runs, () => model = NGramModel.Fit(vocabulary, order, Smoothing.KneserNey(), sequences));
        return (ms, model);
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

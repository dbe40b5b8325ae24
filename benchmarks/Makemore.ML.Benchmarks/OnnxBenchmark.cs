using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Scoring every dev name of the lecture split with the exported ONNX model in ONNX Runtime (one name per run, and
/// batches of 256 padded names) beside <c>NameScorer</c> on the C# model, one core each (docs/benchmarks.md, "ONNX").
/// The mean NLL of both is printed too: the same model, so it must agree to 1e-5.
/// </summary>
internal static class OnnxBenchmark
{
    private const int BatchSize = 256;

    public static void Run(IReadOnlyList<string> names, bool quick)
    {
        TorchSharp.TorchRuntime.EnsureLoaded();
        TorchSharp.TorchRuntime.SetThreads(1);
        var split = NameSplitter.Split(names, SplitProtocol.Lecture);
        var vocabulary = CharacterVocabulary.Learn(names);
        List<int[]> Encode(IEnumerable<string> items) => items.Select(n => vocabulary.Encode(n)).ToList();
        var (train, dev) = (Encode(split.Train), Encode(split.Dev));
        var devNames = split.Dev.ToArray();
        int passes = quick ? 3 : 5;
        var models = new List<(string Name, Func<ILanguageModel> Train)>
        {
            ("bigram, add-1", () => NGramModel.Fit(vocabulary, 2, Smoothing.AddK(1), train)),
            ("4-gram, Kneser–Ney (dense table)", () => NGramModel.Fit(vocabulary, 4, Smoothing.KneserNey(), train)),
            ("6-gram, Kneser–Ney (lookups)", () => NGramModel.Fit(vocabulary, 6, Smoothing.KneserNey(), train)),
            ("softmax (trigram)", () => new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { BlockSize = 2, Training = { Steps = 50 } }).Train(vocabulary, train).Model),
        };
        models.AddRange(BriefNeuralModels.All(quick ? 20 : 200).Select(m => (m.Name, (Func<ILanguageModel>)(() => m.Train(vocabulary, train, dev)))));
        Console.WriteLine($"Scoring the {devNames.Length:N0} dev names (lecture split), one core each (ONNX Runtime: 1 intra-op thread); median of {passes} passes; names/s.");
        Console.WriteLine();
        Console.WriteLine("| model | NameScorer | ONNX Runtime, 1 name per run | ONNX Runtime, batches of 256 | batched ÷ NameScorer | mean NLL C# / ONNX |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, fit) in models)
        {
            var model = fit();
            byte[] onnx;
            try
            {
                using var stream = new MemoryStream();
                new MLContext().Makemore().ExportToOnnx(model, stream);
                onnx = stream.ToArray();
            }
            catch (NotSupportedException)
            {
                Console.WriteLine($"| {name} | | not exported | | | |");
                continue;
            }
            var scorer = new NameScorer(model);
            double csharpNll = 0;
            double scorerRate = Timing.Rate(devNames.Length, passes, () =>
            {
                double sum = 0;
                foreach (string n in devNames)
                    sum += scorer.ScoreLikelihood(n).LogLikelihood;
                csharpNll = -sum;
            });
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
            using var session = new InferenceSession(onnx, options);
            LogLikelihoods(session, dev.Take(BatchSize).ToArray()); // warm-up: the first run of a session plans its memory
            double onnxNll = 0;
            double singleRate = Timing.Rate(devNames.Length, passes, () =>
            {
                foreach (var ids in dev)
                    LogLikelihoods(session, [ids]);
            });
            double batchRate = Timing.Rate(devNames.Length, passes, () =>
            {
                double sum = 0;
                for (int start = 0; start < dev.Count; start += BatchSize)
                    sum += LogLikelihoods(session, dev.Skip(start).Take(BatchSize).ToArray()).Sum();
                onnxNll = -sum;
            });
            long characters = dev.Sum(i => i.Length + 1L);
            Console.WriteLine($"| {name} | {scorerRate:N0} | {singleRate:N0} | {batchRate:N0} | {batchRate / scorerRate:F2}× | {csharpNll / characters:F5} / {onnxNll / characters:F5} |");
        }
    }

    // One run of the graph on names padded with 0 after their ends: each name's Σ ln p.
    private static double[] LogLikelihoods(InferenceSession session, IReadOnlyList<int[]> items)
    {
        int time = items.Max(i => i.Length) + 1;
        var idx = new DenseTensor<long>([items.Count, time]);
        for (int b = 0; b < items.Count; b++)
            for (int t = 0; t < items[b].Length; t++)
                idx[b, t + 1] = items[b][t];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("idx", idx)]);
        var logProbs = results[0].AsTensor<float>();
        var sums = new double[items.Count];
        for (int b = 0; b < items.Count; b++)
            for (int t = 0; t <= items[b].Length; t++)
                sums[b] += logProbs[b, t, t < items[b].Length ? items[b][t] : 0];
        return sums;
    }
}

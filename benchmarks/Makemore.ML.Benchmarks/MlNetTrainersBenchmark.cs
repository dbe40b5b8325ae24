using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace Makemore.ML.Benchmarks;

/// <summary>
/// Our softmax regression beside ML.NET's own multiclass trainers on the same view: the one-hot n-gram events of a names
/// file (<c>ml.Data.ExpandCharacterEvents</c> → <c>OneHotEncoding</c>), in-sample NLL (ML.NET's LogLoss, nats per predicted
/// character) and fit time. <c>dotnet run -c Release --project benchmarks/Makemore.ML.Benchmarks -- mlnet [NAMES] [--quick]</c>.
/// </summary>
internal static class MlNetTrainersBenchmark
{
    public static void Run(MLContext ml, IReadOnlyList<string> names, bool quick)
    {
        Console.WriteLine("| block | trainer | in-sample NLL | fit (s) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (int blockSize in quick ? [1] : new[] { 1, 2 })
        {
            var events = ml.Data.ExpandCharacterEvents(ml.Data.LoadNames(names), blockSize);
            var featurized = ml.Data.Cache(ml.Transforms.Categorical.OneHotEncoding("Features", "Context").Fit(events).Transform(events));
            _ = featurized.Preview(1); // fill the cache outside the timings
            var trainers = new (string Name, IEstimator<ITransformer> Trainer)[]
            {
                ("ours: SoftmaxRegression (TorchSharp, AdamW, 1,000 full-batch steps)", ml.MulticlassClassification.Trainers.SoftmaxRegression()),
                ("ML.NET LbfgsMaximumEntropy (defaults)", ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()),
                ("ML.NET SdcaMaximumEntropy (defaults)", ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()),
            };
            foreach (var (name, trainer) in trainers)
            {
                var clock = Stopwatch.StartNew();
                var model = trainer.Fit(featurized);
                double seconds = clock.Elapsed.TotalSeconds;
                double nll = ml.MulticlassClassification.Evaluate(model.Transform(featurized)).LogLoss;
                Console.WriteLine($"| {blockSize} | {name} | {nll:F6} | {seconds:F1} |");
            }
        }
    }
}

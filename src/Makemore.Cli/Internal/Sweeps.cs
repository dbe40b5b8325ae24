using Microsoft.ML;
using System.Globalization;
using Makemore.ML.Counting;
using Makemore.ML.Evaluation;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Internal;

/// <summary>One point of a sweep: a strength and the NLL it gives on train and dev.</summary>
internal sealed record SweepRow(double Strength, double Train, double Dev, ILanguageModel Model);

/// <summary>Tunes a smoothing strength on dev (the lecture's exercise E03): add-k for counts, L2 for the neural n-gram.</summary>
internal static class Sweeps
{
    public static readonly double[] AddKGrid = [0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
    public static readonly double[] L2Grid = [0, 0.001, 0.01, 0.1, 1];

    public static double[] ParseGrid(string? text, double[] defaults)
    {
        if (string.IsNullOrWhiteSpace(text))
            return defaults;
        var grid = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) && x >= 0 ? x : double.NaN)
            .ToArray();
        if (grid.Length == 0 || grid.Any(double.IsNaN))
            throw new UsageException($"--grid must be comma-separated finite numbers ≥ 0, e.g. 0.01,0.1,1 (got '{text}')");
        return grid;
    }

    /// <summary>Counts once, then evaluates each k.</summary>
    public static List<SweepRow> AddK(CharacterVocabulary vocabulary, int order, IReadOnlyList<int[]> train, IReadOnlyList<int[]> dev, double[] grid)
    {
        var counts = NGramModel.Fit(vocabulary, order, Smoothing.AddK(1), train);
        return grid.Select(k =>
        {
            var model = counts.WithSmoothing(Smoothing.AddK(k));
            return new SweepRow(k, Nll(model, train), Nll(model, dev), model);
        }).ToList();
    }

    /// <summary>Trains one neural n-gram per L2 strength.</summary>
    public static List<SweepRow> L2(CharacterVocabulary vocabulary, SoftmaxRegressionOptions options, IReadOnlyList<int[]> train, IReadOnlyList<int[]> dev,
        double[] grid, Action<string>? progress)
    {
        return grid.Select(l2 =>
        {
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"training with L2 {l2} ..."));
            var estimator = new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionOptions
            {
                BlockSize = options.BlockSize, Context = options.Context, Encoding = options.Encoding, LearningRate = options.LearningRate,
                Steps = options.Steps, BatchSize = options.BatchSize, Seed = options.Seed, Threads = options.Threads, L2 = l2,
            });
            var model = estimator.Train(vocabulary, train).Model;
            return new SweepRow(l2, Nll(model, train), Nll(model, dev), model);
        }).ToList();
    }

    public static double Nll(ILanguageModel model, IEnumerable<int[]> sequences) => LanguageModelEvaluator.Evaluate(model, sequences).NllPerCharacter;
}

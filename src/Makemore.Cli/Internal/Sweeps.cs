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

/// <summary>The sweep's grid and NLLs; what is swept and how each model is fitted is the kind's (<c>ModelKind.Smoothing</c>).</summary>
internal static class Sweeps
{
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

    public static double Nll(ILanguageModel model, IEnumerable<int[]> sequences) => LanguageModelEvaluator.Evaluate(model, sequences).NllPerCharacter;
}

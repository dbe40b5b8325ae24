using System.Globalization;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Internal;

/// <summary>
/// Each trained kind's defaults, read from the options the library builds for it (never written here again), so that
/// <c>train --help</c> shows every kind's real default instead of the softmax's for all of them.
/// </summary>
internal static class KindDefaults
{
    /// <summary>One kind's settings as its options carry them; null where the kind has no such setting.</summary>
    private sealed record Settings(string Kind, int? BlockSize, int? EmbeddingSize, int? HiddenSize, int? LayerCount, double LearningRate, int Steps,
        string? Optimizer, int? EvaluationInterval, int Threads);

    private static readonly Settings[] All =
    [
        new("softmax", SoftmaxRegressionEstimator.Defaults.BlockSize, null, null, null, SoftmaxRegressionEstimator.Defaults.LearningRate,
            SoftmaxRegressionEstimator.Defaults.Steps, null, null, SoftmaxRegressionEstimator.Defaults.Threads),
        .. new[] { (MlpKind.Mlp, "mlp"), (MlpKind.BatchNormMlp, "bn-mlp"), (MlpKind.WaveNet, "wavenet") }.Select(k => Mlp(k.Item1, k.Item2)),
        .. new[] { (SequenceModelKind.Rnn, "rnn"), (SequenceModelKind.Gru, "gru"), (SequenceModelKind.Lstm, "lstm"), (SequenceModelKind.BagOfWords, "bow"), (SequenceModelKind.Transformer, "transformer") }
            .Select(k => Sequence(k.Item1, k.Item2)),
    ];

    /// <summary>The default learning rate of a kind (the softmax's when the kind has no other).</summary>
    public static double LearningRate(string kind) => (All.FirstOrDefault(s => s.Kind == kind) ?? All[0]).LearningRate;

    // Help text: the kinds' defaults of one setting, kinds with the same value grouped, e.g. "softmax: 50; mlp, bn-mlp, wavenet: 0.1".
    private static string Of(Func<Settings, object?> setting) => string.Join("; ",
        All.Select(s => (s.Kind, Value: setting(s)))
            .Where(s => s.Value is not null)
            .GroupBy(s => Convert.ToString(s.Value, CultureInfo.InvariantCulture))
            .Select(g => $"{string.Join(", ", g.Select(s => s.Kind))}: {g.Key}"));

    /// <summary>Block sizes.</summary>
    public static string BlockSize => Of(s => s.BlockSize) + "; rnn, gru, lstm, bow, transformer: the longest name + 1";

    /// <summary>Embedding widths.</summary>
    public static string EmbeddingSize => Of(s => s.EmbeddingSize);

    /// <summary>Hidden widths.</summary>
    public static string HiddenSize => Of(s => s.HiddenSize);

    /// <summary>Layer counts.</summary>
    public static string LayerCount => Of(s => s.LayerCount) + "; wavenet: log2 of the block";

    /// <summary>Learning rates.</summary>
    public static string LearningRates => Of(s => s.LearningRate);

    /// <summary>Steps.</summary>
    public static string Steps => Of(s => s.Steps);

    /// <summary>Optimizers.</summary>
    public static string Optimizer => Of(s => s.Optimizer);

    /// <summary>Evaluation intervals.</summary>
    public static string EvaluationInterval => Of(s => s.EvaluationInterval);

    /// <summary>Threads.</summary>
    public static string Threads => Of(s => s.Threads);

    private static Settings Mlp(MlpKind kind, string name)
    {
        var o = MlpOptions.ForLecture(kind);
        return new(name, o.BlockSize, o.EmbeddingSize, o.HiddenSize, kind == MlpKind.WaveNet ? null : o.HiddenLayers ?? 1, o.Training.LearningRate, o.Training.Steps,
            OptimizerName(o.Training.Optimizer), o.Training.EvaluationInterval, o.Threads);
    }

    private static Settings Sequence(SequenceModelKind kind, string name)
    {
        var o = new SequenceModelOptions { Kind = kind };
        // Their hidden width is --n-embd2, not the MLP's --n-hidden.
        return new(name, null, o.EmbeddingSize, null,
            kind == SequenceModelKind.Transformer ? o.LayerCount : null, o.Training.LearningRate, o.Training.Steps, OptimizerName(o.Training.Optimizer),
            o.Training.EvaluationInterval, o.Threads);
    }

    private static string OptimizerName(OptimizerOptions optimizer) => optimizer switch
    {
        AdamWOptions => "adamw",
        SgdOptions => "sgd",
        _ => optimizer.GetType().Name,
    };
}

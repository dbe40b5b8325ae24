using System.Diagnostics;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.Training;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>The count model (<see cref="NGramModel"/>): n-gram counts, normalised, smoothed; no training loop.</summary>
public sealed class NGramKind : ModelKind<NGramEstimator.Options>
{
    /// <summary>The one instance, listed by <see cref="ModelKinds"/>.</summary>
    public static NGramKind Instance { get; } = new();

    private NGramKind()
    {
    }

    /// <inheritdoc/>
    public override string Name => "ngram";

    /// <inheritdoc/>
    public override string Description =>
        "Counts: how often each character follows each context of n − 1 characters in the training names, normalised into " +
        "next-character distributions and smoothed so that unseen n-grams keep some probability (add-k, the lecture's fake counts; " +
        "Kneser–Ney, Chen & Goodman 1998). Part 1 of the lectures is the bigram (--order 2). Fits in milliseconds.";

    /// <inheritdoc/>
    public override IReadOnlyList<KindSetting> Settings { get; } =
    [
        KindSetting.Whole<NGramEstimator.Options>("--order", "n: characters of an n-gram, the one predicted included (2 = bigram)", o => o.Order, (o, v) => o.Order = v, 1, 8),
        KindSetting.Text<NGramEstimator.Options>("--smoothing", "none, add-k:K (fake counts), kneser-ney or kneser-ney:D", o => o.Smoothing.ToString(), (o, v) => o.Smoothing = Counting.Smoothing.Parse(v)),
        KindSetting.Text<NGramEstimator.Options>("--memory", "memory the counting may hold (e.g. 500M, 2G; none: no limit): beyond it, sorted runs are spilled to a temporary folder and merged (same model)",
            o => MemorySize.Format(o.MemoryBudget), (o, v) => o.MemoryBudget = MemorySize.Parse(v, "--memory")),
    ];

    /// <inheritdoc/>
    public override NGramEstimator.Options NewOptions() => new();

    /// <inheritdoc/>
    protected override NGramEstimator.Options CopyOptions(NGramEstimator.Options options) => options.Copy();

    /// <inheritdoc/>
    public override bool Made(ILanguageModel model) => model is NGramModel;

    /// <inheritdoc/>
    /// <remarks>add-k's k: the counts are counted once, then smoothed with each k.</remarks>
    public override SmoothingSweep Smoothing { get; } = new("k", [0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5], (options, vocabulary, train, grid, _) =>
    {
        var counts = NGramModel.Fit(vocabulary, ((NGramEstimator.Options)options).Order, Counting.Smoothing.AddK(1), train, ((NGramEstimator.Options)options).MemoryBudget);
        return grid.Select(k => (k, (ILanguageModel)counts.WithSmoothing(Counting.Smoothing.AddK(k)))).ToList();
    });

    /// <inheritdoc/>
    protected override string IdsColumnOf(NGramEstimator.Options options) => options.IdsColumnName;

    /// <inheritdoc/>
    protected override void SetIdsColumn(NGramEstimator.Options options, string name) => options.IdsColumnName = name;

    /// <inheritdoc/>
    protected override TrainedModel<ILanguageModel> Train(NGramEstimator.Options options, CharacterVocabulary vocabulary, IReadOnlyList<int[]> sequences, IReadOnlyList<int[]>? dev)
    {
        var stopwatch = Stopwatch.StartNew();
        var model = NGramModel.Fit(vocabulary, options.Order, options.Smoothing, sequences, options.MemoryBudget);
        return new(model, TrainingResult.WithoutSteps(stopwatch.Elapsed));
    }
}

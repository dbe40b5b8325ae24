using Makemore.ML;
using Makemore.ML.Inference;
using Makemore.ML.TorchSharp.Classification;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Microsoft.ML;

/// <summary>Neural trainers in Makemore's catalog: <c>mlContext.Makemore().Trainers.SoftmaxRegression(...)</c>.</summary>
public static class MakemoreTorchSharpCatalog
{
    /// <summary>The lecture's neural n-gram: one-hot context · W, softmax, gradient descent, L2 as smoothing.</summary>
    /// <param name="trainers">Makemore's trainers.</param>
    /// <param name="blockSize">Previous characters seen: 1 = bigram, 2 = trigram.</param>
    /// <param name="steps">Gradient steps.</param>
    /// <param name="learningRate">Step size (the lecture: 50).</param>
    /// <param name="l2">L2 strength (the lecture: 0.01).</param>
    /// <param name="context">Joint or per-position context.</param>
    /// <param name="encoding">One-hot matmul or row indexing.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public static SoftmaxRegressionEstimator SoftmaxRegression(this MakemoreTrainers trainers,
        int blockSize = SoftmaxRegressionEstimator.Defaults.BlockSize, int steps = SoftmaxRegressionEstimator.Defaults.Steps,
        double learningRate = SoftmaxRegressionEstimator.Defaults.LearningRate, double l2 = SoftmaxRegressionEstimator.Defaults.L2,
        ContextEncoding context = SoftmaxRegressionEstimator.Defaults.Context, InputEncoding encoding = SoftmaxRegressionEstimator.Defaults.Encoding,
        string idsColumnName = Makemore.ML.Text.CharacterIdsEstimator.Defaults.OutputColumnName) =>
        new(Catalogs.Of(trainers.Owner.Context), new SoftmaxRegressionEstimator.Options
        {
            BlockSize = blockSize,
            L2 = l2,
            Context = context,
            Encoding = encoding,
            IdsColumnName = idsColumnName,
            Training = { Steps = steps, LearningRate = learningRate },
        });

    /// <summary>The lecture's neural n-gram, with all options.</summary>
    public static SoftmaxRegressionEstimator SoftmaxRegression(this MakemoreTrainers trainers, SoftmaxRegressionEstimator.Options options) => new(Catalogs.Of(trainers.Owner.Context), options);

    /// <summary>
    /// One of the lectures' MLP-family models (<see cref="MlpKind"/>: Bengio's MLP, the BatchNorm MLP, the WaveNet) with its
    /// lecture setting, or fewer steps.
    /// </summary>
    /// <param name="trainers">Makemore's trainers.</param>
    /// <param name="kind">Which lecture model.</param>
    /// <param name="steps">Minibatch steps; null for the lecture's 200,000.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public static MlpEstimator Mlp(this MakemoreTrainers trainers, MlpKind kind = MlpEstimator.Defaults.Kind, int? steps = null,
        string idsColumnName = Makemore.ML.Text.CharacterIdsEstimator.Defaults.OutputColumnName)
    {
        var options = MlpEstimator.Options.ForLecture(kind);
        options.IdsColumnName = idsColumnName;
        if (steps is int n)
            options.Training.Steps = n;
        return new MlpEstimator(Catalogs.Of(trainers.Owner.Context), options);
    }

    /// <summary>An MLP-family model, with all options.</summary>
    public static MlpEstimator Mlp(this MakemoreTrainers trainers, MlpEstimator.Options options) => new(Catalogs.Of(trainers.Owner.Context), options);

    /// <summary>
    /// One of makemore.py's sequence models (<see cref="SequenceModelKind"/>) with makemore.py's setting: n_embd 64,
    /// n_embd2 64, n_layer 4, n_head 4, AdamW at 5e-4, batches of 32, seed 3407; block size = longest item + 1.
    /// </summary>
    /// <param name="trainers">Makemore's trainers.</param>
    /// <param name="kind">Which model (makemore.py's <c>--type</c>).</param>
    /// <param name="steps">Minibatch steps; null for <see cref="TrainingOptions.Defaults.Steps"/>.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public static SequenceModelEstimator Sequence(this MakemoreTrainers trainers, SequenceModelKind kind = SequenceModelEstimator.Defaults.Kind,
        int? steps = null, string idsColumnName = Makemore.ML.Text.CharacterIdsEstimator.Defaults.OutputColumnName) =>
        new(Catalogs.Of(trainers.Owner.Context), new SequenceModelEstimator.Options
        {
            Kind = kind,
            IdsColumnName = idsColumnName,
            Training = new TrainingOptions { Steps = steps ?? TrainingOptions.Defaults.Steps },
        });

    /// <summary>A sequence model, with all options.</summary>
    public static SequenceModelEstimator Sequence(this MakemoreTrainers trainers, SequenceModelEstimator.Options options) => new(Catalogs.Of(trainers.Owner.Context), options);

    /// <summary>A model of any kind (<see cref="ModelKinds"/>: the library's, or one the application registered).</summary>
    /// <param name="trainers">Makemore's trainers.</param>
    /// <param name="kind">What to train, e.g. <c>ModelKinds.Get("gru")</c>.</param>
    /// <param name="options">An options object of the kind (<c>kind.CreateOptions()</c>, changed as needed), or null for its defaults.</param>
    public static LanguageModelEstimator Train(this MakemoreTrainers trainers, ModelKind kind, object? options = null) =>
        new(Catalogs.Of(trainers.Owner.Context), kind, options);

    /// <summary>A model of the kind named <paramref name="kind"/> (<c>ngram</c>, <c>softmax</c>, <c>mlp</c>, <c>gru</c>, <c>transformer</c>, …) with its defaults.</summary>
    /// <param name="trainers">Makemore's trainers.</param>
    /// <param name="kind">The kind's name.</param>
    public static LanguageModelEstimator Train(this MakemoreTrainers trainers, string kind) => trainers.Train(ModelKinds.Get(kind));

    /// <summary>
    /// Language-model scores as a feature: fits a character model of a kind (<c>ngram</c> by default) on a text column —
    /// on every row, or only on the rows whose label is <paramref name="labelValue"/> — and adds the NLL per character of
    /// each row's text as a <c>Single</c> column. For the training rows of a downstream trainer, use
    /// <see cref="CharacterModelFeatures.CrossFit"/> (features from models that never saw the row).
    /// </summary>
    /// <param name="catalog">ML.NET's text transforms.</param>
    /// <param name="outputColumnName">The feature column (Single).</param>
    /// <param name="inputColumnName">The text column.</param>
    /// <param name="kind">The model kind's name (<see cref="ModelKinds"/>).</param>
    /// <param name="labelColumnName">With <paramref name="labelValue"/>: fit only on the rows with that label.</param>
    /// <param name="labelValue">The label value, as text.</param>
    public static CharacterModelScoreEstimator ScoreWithCharacterModel(this TransformsCatalog.TextTransforms catalog, string outputColumnName, string inputColumnName,
        string kind = "ngram", string? labelColumnName = null, string? labelValue = null) =>
        new(Catalogs.Of(catalog), new CharacterModelScoreEstimator.Options
        {
            InputColumnName = inputColumnName,
            Outputs = [(outputColumnName, CharacterModelScore.NllPerCharacter)],
            Kind = kind,
            LabelColumnName = labelColumnName,
            LabelValue = labelValue,
        });

    /// <summary>Language-model scores as features, with all options (several scores, the kind's options, the unknown-character policy).</summary>
    public static CharacterModelScoreEstimator ScoreWithCharacterModel(this TransformsCatalog.TextTransforms catalog, CharacterModelScoreEstimator.Options options) =>
        new(Catalogs.Of(catalog), options);

    /// <summary>
    /// Softmax (multinomial logistic) regression on any float-vector features with a key label, trained on TorchSharp;
    /// returns ML.NET's own typed <c>MulticlassPredictionTransformer&lt;MaximumEntropyModelParameters&gt;</c> with <c>Score</c>
    /// and <c>PredictedLabel</c>, scored in plain C# and saved in the model zip.
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers.</param>
    /// <param name="labelColumnName">The label column (a key).</param>
    /// <param name="featureColumnName">The features column (a known-size vector of Single).</param>
    /// <param name="l2">Strength of <c>L2 · mean(W²)</c>.</param>
    /// <param name="learningRate">AdamW step size.</param>
    /// <param name="steps">Full-batch optimisation steps.</param>
    public static SoftmaxRegressionTrainer SoftmaxRegression(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = SoftmaxRegressionTrainer.Defaults.LabelColumnName, string featureColumnName = SoftmaxRegressionTrainer.Defaults.FeatureColumnName,
        double l2 = SoftmaxRegressionTrainer.Defaults.L2, double learningRate = SoftmaxRegressionTrainer.Defaults.LearningRate,
        int steps = SoftmaxRegressionTrainer.Defaults.Steps) =>
        new(catalog, new SoftmaxRegressionTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, L2 = l2, LearningRate = learningRate, Steps = steps,
        });

    /// <summary>Softmax regression on any float-vector features, with all options.</summary>
    public static SoftmaxRegressionTrainer SoftmaxRegression(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        SoftmaxRegressionTrainer.Options options) => new(catalog, options);
}

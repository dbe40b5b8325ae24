using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Classification;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.ML.TorchSharp.Tests.Conventions;

/// <summary>
/// One public estimator under ML.NET's conventions: how to make its options and the estimator from them, tiny input data,
/// the column it reads and how to spoil it, what it does with no rows, and how it cross-validates.
/// </summary>
/// <param name="Type">The estimator's type.</param>
/// <param name="Data">Its input (already through whatever it needs upstream), made in the given context.</param>
/// <param name="NewOptions">A new options object (what the user hands to the constructor or catalog).</param>
/// <param name="Create">The estimator from those options.</param>
/// <param name="InputColumn">The column it reads, which the checks spoil.</param>
/// <param name="WrongKind">A type to convert that column to that the estimator must refuse.</param>
/// <param name="Role">ML.NET's word for the column's role in its messages (<c>input</c> for a transform, <c>feature</c> for a trainer's features).</param>
/// <param name="EmptyDataFits">True: Fit on no rows gives a transformer (documented); false: it throws, naming the column.</param>
/// <param name="CrossValidate">Cross-validates the estimator on the data (ML.NET's catalog, or by hand where none applies) and asserts on the folds.</param>
/// <param name="MismatchAtTransform">What the fitted model says of a wrong type, when it is ML.NET's own transformer (null: the schema mismatch).</param>
/// <param name="LoadedMismatch">What a model loaded with <c>ml.Model.Load</c> says of a wrong type, when it is not the schema mismatch (null).</param>
/// <param name="SpoilWith">Makes the input column another type the estimator must refuse (null: converts it to <paramref name="WrongKind"/>).</param>
/// <param name="MissingAtTransform">What the fitted model says of a missing column, when it is ML.NET's own transformer (null: it names the column).</param>
internal sealed record EstimatorCase(
    Type Type,
    Func<MLContext, IDataView> Data,
    Func<MLContext, object> NewOptions,
    Func<MLContext, object, IEstimator<ITransformer>> Create,
    string InputColumn,
    DataKind WrongKind,
    string Role,
    bool EmptyDataFits,
    Action<MLContext, IEstimator<ITransformer>, IDataView> CrossValidate,
    string? MissingAtTransform = null,
    string? MismatchAtTransform = null,
    Func<MLContext, IDataView, IDataView>? SpoilWith = null,
    string? LoadedMismatch = null)
{
    /// <summary>The data with its input column of another type.</summary>
    public IDataView Spoil(MLContext ml, IDataView data) => SpoilWith?.Invoke(ml, data)
        ?? ml.Transforms.Conversion.ConvertType(InputColumn, InputColumn, WrongKind).Fit(data).Transform(data);

    public override string ToString() => Type.Name;

    private static readonly IReadOnlyList<string> Names = TestData.BundledNames().Take(120).ToList();

    /// <summary>Every public estimator of Makemore.ML and Makemore.ML.TorchSharp that can be made (not abstract).</summary>
    public static IReadOnlyList<Type> PublicEstimators { get; } =
        new[] { typeof(NGramEstimator).Assembly, typeof(LanguageModelEstimator).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEstimator<>)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    /// <summary>The cases, one per public estimator.</summary>
    public static IReadOnlyList<EstimatorCase> All { get; } =
    [
        new(typeof(CharacterIdsEstimator), NameView,
            _ => new CharacterIdsEstimator.Options { OutputColumnName = "Ids", InputColumnName = NameInput.ColumnName, UnknownCharacters = UnknownCharacterPolicy.MapToUnknown },
            (ml, o) => ml.Transforms.Text.MapCharactersToIds((CharacterIdsEstimator.Options)o),
            NameInput.ColumnName, DataKind.Single, "input", EmptyDataFits: true, ByHand),
        new(typeof(CharacterContextEstimator), NameView,
            _ => new CharacterContextEstimator.Options { OutputColumnName = "Context", InputColumnName = NameInput.ColumnName, BlockSize = 3 },
            (ml, o) => ml.Transforms.Text.MapCharacterContextToKeys((CharacterContextEstimator.Options)o),
            NameInput.ColumnName, DataKind.Single, "input", EmptyDataFits: true, ByHand),
        new(typeof(CharacterEmbeddingEstimator), ContextView,
            ml => new CharacterEmbeddingEstimator.Options { OutputColumnName = "Embedded", InputColumnName = "Context", Embeddings = Embeddings(ml) },
            (ml, o) => ml.Transforms.Text.ApplyCharacterEmbedding((CharacterEmbeddingEstimator.Options)o),
            "Context", DataKind.String, "input", EmptyDataFits: true, ByHand,
            SpoilWith: (ml, data) => ml.Transforms.Conversion.MapKeyToValue("Context").Fit(data).Transform(data), // the characters, not their keys
            LoadedMismatch: "Metadata KeyValues does not exist"), // the loaded chain's first step: ML.NET's MapKeyToValue
        new(typeof(NGramEstimator), IdsView,
            _ => new NGramEstimator.Options { Order = 3 },
            (ml, o) => ml.Makemore().Trainers.NGram((NGramEstimator.Options)o),
            "Ids", DataKind.Single, "input", EmptyDataFits: false, LanguageModelFolds, LoadedMismatch: LoadedIdsMismatch),
        new(typeof(InterpolationEstimator), IdsView,
            ml => Components(ml),
            (ml, o) => new InterpolationEstimator(ml, (List<ILanguageModel>)o),
            "Ids", DataKind.Single, "input", EmptyDataFits: false, LanguageModelFolds, LoadedMismatch: LoadedIdsMismatch),
        new(typeof(LanguageModelEstimator), IdsView,
            _ => new SequenceModelEstimator.Options { Kind = SequenceModelKind.Rnn, EmbeddingSize = 4, HiddenSize = 8, Training = FewSteps() },
            (ml, o) => ml.Makemore().Trainers.Train(ModelKinds.Get("rnn"), o),
            "Ids", DataKind.Single, "input", EmptyDataFits: false, LanguageModelFolds, LoadedMismatch: LoadedIdsMismatch),
        new(typeof(MlpEstimator), IdsView,
            _ => new MlpEstimator.Options { BlockSize = 3, EmbeddingSize = 2, HiddenSize = 8, Training = FewSteps() },
            (ml, o) => ml.Makemore().Trainers.Mlp((MlpEstimator.Options)o),
            "Ids", DataKind.Single, "input", EmptyDataFits: false, LanguageModelFolds, LoadedMismatch: LoadedIdsMismatch),
        new(typeof(SequenceModelEstimator), IdsView,
            _ => new SequenceModelEstimator.Options { Kind = SequenceModelKind.Transformer, EmbeddingSize = 8, HiddenSize = 8, HeadCount = 2, LayerCount = 1, Training = FewSteps() },
            (ml, o) => ml.Makemore().Trainers.Sequence((SequenceModelEstimator.Options)o),
            "Ids", DataKind.Single, "input", EmptyDataFits: false, LanguageModelFolds, LoadedMismatch: LoadedIdsMismatch),
        new(typeof(SoftmaxRegressionEstimator), IdsView,
            _ => new SoftmaxRegressionEstimator.Options { BlockSize = 2, Training = FewSteps() },
            (ml, o) => ml.Makemore().Trainers.SoftmaxRegression((SoftmaxRegressionEstimator.Options)o),
            "Ids", DataKind.Single, "input", EmptyDataFits: false, LanguageModelFolds, LoadedMismatch: LoadedIdsMismatch),
        new(typeof(SoftmaxRegressionTrainer), FeatureView,
            _ => new SoftmaxRegressionTrainer.Options { LabelColumnName = "Label", FeatureColumnName = "Features", Steps = 20, LearningRate = 0.1 },
            (ml, o) => ml.MulticlassClassification.Trainers.SoftmaxRegression((SoftmaxRegressionTrainer.Options)o),
            "Features", DataKind.Double, "feature", EmptyDataFits: false,
            (ml, estimator, data) => AssertFolds(ml.MulticlassClassification.CrossValidate(data, estimator, numberOfFolds: 3, labelColumnName: "Label", seed: 1)
                .Select(f => f.Metrics.LogLoss)),
            // The fitted model is ML.NET's own MulticlassPredictionTransformer, and this is its message.
            MissingAtTransform: "Features column 'Feature' not found",
            MismatchAtTransform: "Incompatible features column type item type: 'Double' vs 'Single'",
            LoadedMismatch: "Incompatible features column type item type: 'Double' vs 'Single'"),
        new(typeof(CharacterModelScoreEstimator), TextView,
            _ => new CharacterModelScoreEstimator.Options
            {
                InputColumnName = "Text",
                Outputs = new List<(string, CharacterModelScore)> { ("Nll", CharacterModelScore.NllPerCharacter), ("LogLikelihood", CharacterModelScore.LogLikelihood), ("Percentile", CharacterModelScore.Percentile) },
                KindOptions = new NGramEstimator.Options { Order = 3 },
                LabelColumnName = "Label",
                LabelValue = "forward",
            },
            (ml, o) => ml.Transforms.Text.ScoreWithCharacterModel((CharacterModelScoreEstimator.Options)o),
            "Text", DataKind.Single, "input", EmptyDataFits: false,
            (ml, estimator, data) => AssertFolds(ml.MulticlassClassification.CrossValidate(data,
                estimator.Append(ml.Transforms.Concatenate("Features", "Nll", "LogLikelihood", "Percentile"))
                    .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
                    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features")),
                numberOfFolds: 3, labelColumnName: "LabelKey", seed: 1).Select(f => f.Metrics.LogLoss))),
    ];

    // No built-in ML.NET step takes exactly a vector of Int32 to check the ids with, so a model loaded with ml.Model.Load
    // refuses other ids at Transform in the words of the CustomMapping that reads them (ml.Makemore().Load gives the
    // façade back, which checks them in ML.NET's words).
    private const string LoadedIdsMismatch = "Can't bind the IDataView column '__Makemore.ScoreIds'";

    private static IDataView NameView(MLContext ml) => ml.Data.LoadNames(Names);

    private static IDataView IdsView(MLContext ml)
    {
        var names = NameView(ml);
        return ml.Transforms.Text.MapCharactersToIds().Fit(names).Transform(names);
    }

    private static IDataView ContextView(MLContext ml)
    {
        var names = NameView(ml);
        return ml.Transforms.Text.MapCharacterContextToKeys("Context", NameInput.ColumnName, blockSize: 3).Fit(names).Transform(names);
    }

    private static CharacterEmbeddings Embeddings(MLContext ml)
    {
        var vocabulary = CharacterVocabulary.Learn(Names);
        return new CharacterEmbeddings(vocabulary, 2, Enumerable.Range(0, vocabulary.Size * 2).Select(i => i * 0.01f).ToArray());
    }

    private static List<ILanguageModel> Components(MLContext ml)
    {
        var ids = IdsView(ml);
        return [ml.Makemore().Trainers.NGram(1).Fit(ids).Model, ml.Makemore().Trainers.NGram(2).Fit(ids).Model];
    }

    private static TrainingOptions FewSteps() => new() { Steps = 3, BatchSize = 16, EvaluationInterval = 1000 };

    private sealed class TextRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    // Names and names written backwards.
    private static IDataView TextView(MLContext ml) => ml.Data.LoadFromEnumerable(Names.Select((n, i) => i % 2 == 0
        ? new TextRow { Text = n, Label = "forward" }
        : new TextRow { Text = new string(n.Reverse().ToArray()), Label = "reversed" }).ToList());

    private sealed class FeatureRow
    {
        [VectorType(3)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    // Three numbers about a name, and whether it ends in a vowel.
    private static IDataView FeatureView(MLContext ml)
    {
        var rows = ml.Data.LoadFromEnumerable(Names.Select(n => new FeatureRow
        {
            Features = [n.Length, n.Count(c => c == 'a'), n[0] / 128f],
            Label = "aeiouy".Contains(n[^1]) ? "vowel" : "consonant",
        }).ToList());
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows);
    }

    // A transform's folds: fitted on the other folds, each fold transforms to as many rows as it has.
    private static void ByHand(MLContext ml, IEstimator<ITransformer> estimator, IDataView data)
    {
        long total = 0;
        foreach (var fold in ml.Data.CrossValidationSplit(data, numberOfFolds: 3, seed: 1))
        {
            long rows = EstimatorWorkoutRows(estimator.Fit(fold.TrainSet).Transform(fold.TestSet));
            Assert.AreEqual(EstimatorWorkoutRows(fold.TestSet), rows, "a fold transforms every one of its rows");
            total += rows;
        }
        Assert.AreEqual(EstimatorWorkoutRows(data), total, "the folds cover the data");
    }

    // A language model's folds: fitted on the other folds, each fold's held-out NLL per character is finite and positive.
    private static void LanguageModelFolds(MLContext ml, IEstimator<ITransformer> estimator, IDataView data) =>
        AssertFolds(ml.Data.CrossValidationSplit(data, numberOfFolds: 3, seed: 1)
            .Select(fold => ml.Makemore().Evaluate(estimator.Fit(fold.TrainSet).Transform(fold.TestSet)).NllPerCharacter));

    private static void AssertFolds(IEnumerable<double> losses)
    {
        var values = losses.ToList();
        Assert.HasCount(3, values, "three folds");
        foreach (double loss in values)
            Assert.IsTrue(double.IsFinite(loss) && loss > 0, $"held-out loss {loss}");
    }

    private static long EstimatorWorkoutRows(IDataView data)
    {
        long rows = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
            rows++;
        return rows;
    }
}

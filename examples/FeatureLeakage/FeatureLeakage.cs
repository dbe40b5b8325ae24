using System.Globalization;
using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.TorchSharp.Kinds;

namespace Makemore.Examples;

/// <summary>
/// The leakage rule of docs/ml-net.md, measured: a classifier on character-model features, its trainer fitted once on
/// the features of its training rows scored by models fitted on those same rows (in-sample), once on cross-fitted
/// (out-of-fold) features; both score a held-out part with the feature pipeline fitted on every training row.
/// The task: from a name without its last letter, guess whether that letter is a vowel (a, e, i, o, u, y). The features:
/// the NLL per character under an 8-gram Kneser–Ney model of each class's training rows — a model that remembers
/// whole names, so that in-sample its own rows look far more likely than new ones.
/// </summary>
public static class FeatureLeakage
{
    /// <summary>The order of the class models: long enough to remember whole training names.</summary>
    public const int Order = 8;

    /// <summary>What the classifier scored on the held-out part, trained on one kind of features.</summary>
    /// <param name="Auc">Area under the ROC curve.</param>
    /// <param name="LogLoss">Mean log-loss, in bits (ML.NET's).</param>
    public sealed record HeldOut(double Auc, double LogLoss);

    /// <summary>One name without its last letter, and whether that letter is a vowel.</summary>
    public sealed class Row
    {
        /// <summary>The name without its last letter.</summary>
        public string Text { get; set; } = "";

        /// <summary>True when the last letter is a vowel.</summary>
        public bool Label { get; set; }
    }

    /// <summary>Runs the comparison on the first <paramref name="nameCount"/> names of a names file.</summary>
    /// <returns>The held-out metrics with in-sample features, then with cross-fitted ones.</returns>
    public static (HeldOut InSample, HeldOut CrossFitted) Run(string namesPath, int nameCount, TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        var rows = NameList.Read(namesPath).Where(n => n.Length >= 3).Take(nameCount)
            .Select(n => new Row { Text = n[..^1], Label = "aeiouy".Contains(n[^1]) }).ToList();
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.3, seed: 1);

        var features = ClassModel(ml, "VowelNll", "True").Append(ClassModel(ml, "ConsonantNll", "False"))
            .Append(ml.Transforms.Concatenate("Features", "VowelNll", "ConsonantNll"));
        var trainer = ml.BinaryClassification.Trainers.LbfgsLogisticRegression("Label", "Features");
        var fittedFeatures = features.Fit(split.TrainSet); // what scores new data, in both cases

        // In-sample: the trainer sees features of its rows from models that were fitted on those very rows.
        var inSample = trainer.Fit(fittedFeatures.Transform(split.TrainSet));
        // Cross-fitted: each training row's features come from models fitted on the other four fifths.
        var crossFitted = trainer.Fit(CharacterModelFeatures.CrossFit(ml, features, split.TrainSet, folds: 5, seed: 2));

        var a = Evaluate(ml, fittedFeatures.Append(inSample), split.TestSet);
        var b = Evaluate(ml, fittedFeatures.Append(crossFitted), split.TestSet);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held-out AUC     in-sample features {a.Auc:F4}   cross-fitted {b.Auc:F4}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held-out LogLoss in-sample features {a.LogLoss:F4}   cross-fitted {b.LogLoss:F4}"));
        return (a, b);
    }

    private static CharacterModelScoreEstimator ClassModel(MLContext ml, string outputColumnName, string labelValue) =>
        ml.Transforms.Text.ScoreWithCharacterModel(new CharacterModelScoreEstimator.Options
        {
            InputColumnName = nameof(Row.Text),
            Outputs = [(outputColumnName, CharacterModelScore.NllPerCharacter)],
            KindOptions = new NGramEstimator.Options { Order = Order, Smoothing = Smoothing.KneserNey() },
            LabelColumnName = nameof(Row.Label),
            LabelValue = labelValue,
        });

    private static HeldOut Evaluate(MLContext ml, ITransformer model, IDataView test)
    {
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), "Label");
        return new HeldOut(metrics.AreaUnderRocCurve, metrics.LogLoss);
    }

    /// <summary>Entry point: <c>dotnet run --project examples/FeatureLeakage [names.txt]</c>.</summary>
    public static void Main(string[] args) =>
        Run(args.Length > 0 ? args[0] : Path.Combine(FindRepository(), "data", "names.txt"), nameCount: 8000, Console.Out);

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Makemore.ML.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Run from inside the repository, or give the path of names.txt.");
    }
}

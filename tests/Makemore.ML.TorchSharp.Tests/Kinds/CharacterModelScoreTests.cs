using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Counting;
using Makemore.ML.Tests;
using Makemore.ML.Tests.Persistence;
using Makemore.ML.TorchSharp.Kinds;

namespace Makemore.ML.TorchSharp.Tests.Kinds;

/// <summary>
/// Character-model scores as features in an ordinary ML.NET pipeline: two class-conditional models beside FeaturizeText,
/// concatenated for a trainer, saved and loaded in a fresh context, with no CopyColumns, ConvertType or custom estimator;
/// and cross-fitting, which keeps a model's memory of its training rows out of their features.
/// </summary>
[TestClass]
public sealed class CharacterModelScoreTests
{
    private sealed class Row
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class Prediction
    {
        [ColumnName("Score")]
        public float[] Score { get; set; } = [];
    }

    // Names and names written backwards: a character model of each tells them apart from the characters' order alone.
    private static IDataView Rows(MLContext ml, int count) => ml.Data.LoadFromEnumerable(RowList(count));

    private static List<Row> RowList(int count) => TestData.BundledNames().Take(count).Select((n, i) => i % 2 == 0
        ? new Row { Text = n, Label = "forward" }
        : new Row { Text = new string(n.Reverse().ToArray()), Label = "reversed" }).ToList();

    [TestMethod]
    public void ThePercentileIsTheMidRankOfTheRowsNllAmongTheFittedRowsNlls()
    {
        var ml = new MLContext(seed: 1);
        var rows = RowList(600);
        rows.AddRange(rows.Where(r => r.Label == "forward").Take(40).Select(r => new Row { Text = r.Text, Label = r.Label }).ToList()); // ties: equal NLLs
        var data = ml.Data.LoadFromEnumerable(rows);
        var estimator = ml.Transforms.Text.ScoreWithCharacterModel(new CharacterModelScoreEstimator.Options
        {
            InputColumnName = "Text",
            Outputs = [("Percentile", CharacterModelScore.Percentile)],
            KindOptions = new NGramEstimator.Options { Order = 3 },
            LabelColumnName = "Label",
            LabelValue = "forward",
        });
        var percentiles = estimator.Fit(data).Transform(data).GetColumn<float>("Percentile").ToList();

        // Brute force: the same model (fitted on the forward rows, over the vocabulary of every row), each row's NLL per
        // character counted against the fitted rows' own: 100 · (#lower + ½ · #equal) / n.
        var map = ml.Transforms.Text.MapCharactersToIds("Ids", "Text", Makemore.ML.Text.UnknownCharacterPolicy.MapToUnknown).Fit(data);
        var forward = map.Transform(ml.Data.LoadFromEnumerable(rows.Where(r => r.Label == "forward").ToList()));
        var model = ml.Makemore().Trainers.NGram(new NGramEstimator.Options { Order = 3 }).Fit(forward);
        var reference = model.Transform(forward).GetColumn<double>("NllPerCharacter").ToList();
        var nlls = model.Transform(map.Transform(data)).GetColumn<double>("NllPerCharacter").ToList();
        Assert.IsLessThan(reference.Count, reference.Distinct().Count(), "the fitted rows have tied NLLs");
        Assert.HasCount(nlls.Count, percentiles);
        for (int i = 0; i < nlls.Count; i++)
        {
            double expected = 100.0 * (reference.Count(r => r < nlls[i]) + 0.5 * reference.Count(r => r == nlls[i])) / reference.Count;
            Assert.AreEqual(expected, percentiles[i], 1e-4, $"row {i} ({rows[i].Text}, NLL {nlls[i]:R})");
        }
        Assert.IsGreaterThan(80.0, percentiles.Where((_, i) => rows[i].Label == "reversed").Average(), "reversed names are rarer than most forward ones");
    }

    [TestMethod]
    public void TwoClassModelsAreFeaturesOfAClassifierThatSavesLoadsAndPredictsTheSame()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(Rows(ml, 2000), 0.25, seed: 1);
        var pipeline = ml.Transforms.Text.FeaturizeText("Words", "Text")
            .Append(ml.Transforms.Text.ScoreWithCharacterModel("ForwardNll", "Text", labelColumnName: "Label", labelValue: "forward"))
            .Append(ml.Transforms.Text.ScoreWithCharacterModel("ReversedNll", "Text", labelColumnName: "Label", labelValue: "reversed"))
            .Append(ml.Transforms.Concatenate("Features", "Words", "ForwardNll", "ReversedNll"))
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features"));
        var model = pipeline.Fit(split.TrainSet);

        var scored = model.Transform(split.TestSet);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["ForwardNll"].Type);
        Assert.IsFalse(scored.Schema.Any(c => !c.IsHidden && (c.Name.StartsWith("__Makemore", StringComparison.Ordinal) || c.Name is "NllPerCharacter" or "LogLikelihood")),
            "no internal or raw score column is visible: " + string.Join(", ", scored.Schema.Where(c => !c.IsHidden).Select(c => c.Name)));
        var metrics = ml.MulticlassClassification.Evaluate(scored, "LabelKey");
        var wordsOnly = ml.Transforms.Text.FeaturizeText("Features", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features"))
            .Fit(split.TrainSet);
        double baseline = ml.MulticlassClassification.Evaluate(wordsOnly.Transform(split.TestSet), "LabelKey").MicroAccuracy;
        Assert.IsGreaterThan(baseline + 0.02, metrics.MicroAccuracy, $"the character models add to FeaturizeText alone ({baseline:F4})");

        string zip = Path.Combine(Path.GetTempPath(), $"makemore-features-{Environment.ProcessId}.zip");
        try
        {
            ml.Model.Save(model, split.TrainSet.Schema, zip);
            var fresh = new MLContext(seed: 2);
            var loaded = fresh.Model.Load(zip, out _);
            var before = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
            var after = fresh.Data.CreateEnumerable<Prediction>(loaded.Transform(split.TestSet), reuseRowObject: false).ToList();
            Assert.HasCount(before.Count, after);
            for (int i = 0; i < before.Count; i++)
                CollectionAssert.AreEqual(before[i].Score, after[i].Score, $"row {i}: the loaded pipeline predicts what the fitted one did");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void CrossFittedFeaturesDoNotCarryTheModelsMemoryOfItsTrainingRows()
    {
        var ml = new MLContext(seed: 1);
        var data = Rows(ml, 3000);
        var memorising = ml.Transforms.Text.ScoreWithCharacterModel(new CharacterModelScoreEstimator.Options
        {
            InputColumnName = "Text",
            Outputs = [("Nll", CharacterModelScore.NllPerCharacter)],
            KindOptions = new NGramEstimator.Options { Order = 8, Smoothing = Smoothing.KneserNey() },
        });
        double inSample = Mean(memorising.Fit(data).Transform(data));
        double crossFitted = Mean(CharacterModelFeatures.CrossFit(ml, memorising, data, folds: 5, seed: 3));
        // An 8-gram Kneser–Ney model remembers whole names: its own training rows look far more likely than new ones.
        Assert.IsGreaterThan(inSample + 0.5, crossFitted, $"in-sample NLL {inSample:F3} vs cross-fitted {crossFitted:F3}");
        Assert.AreEqual(3000, ml.Data.CreateEnumerable<Row>(CharacterModelFeatures.CrossFit(ml, memorising, data, folds: 5, seed: 3), reuseRowObject: false).Count(),
            "every row comes back once");

        double Mean(IDataView view) => view.GetColumn<float>("Nll").Average();
    }

    [TestMethod]
    public void TheEstimatorPassesMlNetsWorkout()
    {
        // Schema promised = produced, bad input refused naming the column, save → load in a fresh context scores the same.
        var ml = new MLContext(seed: 1);
        var data = Rows(ml, 400);
        var bad = ml.Data.LoadFromEnumerable([new { Text = 1f, Label = "forward" }]);
        EstimatorWorkout.Run(ml.Transforms.Text.ScoreWithCharacterModel("Nll", "Text", labelColumnName: "Label", labelValue: "forward"), data, data, bad, "Text", "Nll");
    }

    [TestMethod]
    public void ATextColumnOfAnotherTypeIsASchemaMismatchNamingTheColumn()
    {
        var ml = new MLContext();
        var numbers = ml.Data.LoadFromEnumerable([new { Text = 1f }]);
        var estimator = ml.Transforms.Text.ScoreWithCharacterModel("Nll", "Text");
        var shape = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(EstimatorWorkout.Shape(numbers.Schema)));
        StringAssert.Contains(shape.Message, "Schema mismatch for input column 'Text'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(numbers));
    }
}

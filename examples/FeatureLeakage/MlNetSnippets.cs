using Microsoft.ML;
using Makemore.ML.TorchSharp.Kinds;

namespace Makemore.Examples;

/// <summary>
/// The C# of docs/ml-net.md, compiled here and run by the tests (MlNetDocsTests): each block of the page is the text
/// between a <c>// docs: NAME</c> line and the next <c>// docs: end</c> line below, and a test checks that the page shows
/// exactly these blocks.
/// </summary>
public static class MlNetSnippets
{
    /// <summary>Two class models beside FeaturizeText, one classifier, one zip.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="train">Rows with a <c>Text</c> and a <c>Label</c> (<c>forward</c> or <c>reversed</c>).</param>
    /// <param name="path">Where the zip goes.</param>
    public static ITransformer ScoresAsFeatures(MLContext ml, IDataView train, string path)
    {
        // docs: features
        var pipeline = ml.Transforms.Text.FeaturizeText("Words", "Text")
            .Append(ml.Transforms.Text.ScoreWithCharacterModel("ForwardNll", "Text", labelColumnName: "Label", labelValue: "forward"))
            .Append(ml.Transforms.Text.ScoreWithCharacterModel("ReversedNll", "Text", labelColumnName: "Label", labelValue: "reversed"))
            .Append(ml.Transforms.Concatenate("Features", "Words", "ForwardNll", "ReversedNll"))
            .Append(ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("LabelKey", "Features"));
        var model = pipeline.Fit(train);
        ml.Model.Save(model, train.Schema, path);      // one zip; ml.Model.Load in a fresh process predicts the same
        // docs: end
        return model;
    }

    /// <summary>Several scores of one model, the percentile among them.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="train">Rows with a <c>Text</c>.</param>
    public static ITransformer Scores(MLContext ml, IDataView train)
    {
        // docs: scores
        var scores = ml.Transforms.Text.ScoreWithCharacterModel(new CharacterModelScoreEstimator.Options
        {
            InputColumnName = "Text",
            Outputs = [("Nll", CharacterModelScore.NllPerCharacter), ("NllPercentile", CharacterModelScore.Percentile)],
            Kind = "ngram",                                            // or any name in ModelKinds, with KindOptions
        });
        var scored = scores.Fit(train);                                // NllPercentile: 0–100 among the rows it was fitted on
        // docs: end
        return scored;
    }

    /// <summary>The leakage rule: the trainer fitted on out-of-fold features, new data scored by the full model.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="train">Rows with a <c>Text</c> and a Boolean <c>Label</c>.</param>
    public static ITransformer LeakageRule(MLContext ml, IDataView train)
    {
        var trainer = ml.Transforms.Concatenate("Features", "Nll")
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression("Label", "Features"));
        // docs: leakage
        var features = ml.Transforms.Text.ScoreWithCharacterModel("Nll", "Text");           // or a whole feature pipeline
        IDataView trainingFeatures = CharacterModelFeatures.CrossFit(ml, features, train, folds: 5);
        var classifier = trainer.Fit(trainingFeatures);                                        // never saw its rows' own models
        var scoring = features.Fit(train).Append(classifier);                                 // new data: the full model
        // docs: end
        return scoring;
    }
}

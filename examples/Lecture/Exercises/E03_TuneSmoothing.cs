using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Evaluation;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Exercise E03: use the dev set to tune the strength of smoothing for the trigram model: try many values, pick the
/// best on dev, and report the test loss once. What pattern do the train and dev losses show as k changes?
/// </summary>
public static class E03_TuneSmoothing
{
    /// <summary>The grid of fake counts k tried.</summary>
    public static readonly double[] Grid = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

    /// <summary>Prints train and dev NLL for each k, the best k and its test NLL.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        var split = NameSplitter.Split(settings.LoadWords(), SplitProtocol.Lecture);
        var ml = new MLContext(seed: 0);
        var ids = ml.Transforms.Text.MapCharactersToIds("Ids", "Name");
        IDataView train = ml.Data.LoadNames(split.Train);

        // Count once, then only change the smoothing: NGramModel.WithSmoothing does not count again.
        var counts = (NGramModel)MakemoreModel.GetLanguageModel(ids.Append(ml.Makemore().Trainers.NGram(order: 3)).Fit(train));
        output.WriteLine("k       train     dev");
        (double K, double Dev) best = (double.NaN, double.PositiveInfinity);
        foreach (double k in Grid)
        {
            var model = counts.WithSmoothing(Smoothing.AddK(k));
            double trainNll = LanguageModelEvaluator.Evaluate(model, split.Train).NllPerCharacter;
            double devNll = LanguageModelEvaluator.Evaluate(model, split.Dev).NllPerCharacter;
            output.WriteLine($"{k,-6}  {trainNll:F5}  {devNll:F5}");
            if (devNll < best.Dev)
                best = (k, devNll);
        }

        // The chosen model, trained through the pipeline, evaluated on test once.
        var chosen = ids.Append(ml.Makemore().Trainers.NGram(order: 3, smoothing: Smoothing.AddK(best.K))).Fit(train);
        var test = ml.Makemore().Evaluate(chosen.Transform(ml.Data.LoadNames(split.Test)));
        output.WriteLine($"best k on dev: {best.K} (dev {best.Dev:F5}); test {test.NllPerCharacter:F5}");
        output.WriteLine("train NLL rises with k (the model fits its own data less), dev NLL falls then rises: too little smoothing overfits, too much underfits");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- e03 --data ../shared/data/names.txt`):
// k       train     dev
// 0.01    2.18324  2.23178
// 0.02    2.18376  2.22826
// 0.05    2.18522  2.22436
// 0.1     2.18743  2.22247
// 0.2     2.19139  2.22227
// 0.5     2.20150  2.22674
// 1       2.21557  2.23646
// 2       2.23886  2.25541
// best k on dev: 0.2 (dev 2.22227); test 2.22348
// train NLL rises with k (the model fits its own data less), dev NLL falls then rises: too little smoothing overfits, too much underfits

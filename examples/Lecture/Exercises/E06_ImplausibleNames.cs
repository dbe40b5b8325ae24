using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.ML.Text;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Exercise E06 (ours, not the lecture's): an ordinary ML.NET app. A sign-up form wants to flag names that do not
/// look like names. Train a character model on names, score each new name's NLL per character through a
/// <see cref="PredictionEngine{TSrc, TDst}"/>, and flag it above the 99th percentile of the dev set's scores.
/// </summary>
public static class E06_ImplausibleNames
{
    /// <summary>What the form submits.</summary>
    public sealed class SignUp
    {
        /// <summary>The name typed in.</summary>
        public string Name { get; set; } = "";
    }

    /// <summary>What the model says about it: any score column, by name.</summary>
    public sealed class NameScore
    {
        /// <summary>Mean −ln p per predicted character (end included), in nats: higher is less name-like.</summary>
        public double NllPerCharacter { get; set; }
    }

    /// <summary>The names the example checks.</summary>
    public static readonly string[] Candidates = ["emma", "olivia", "andrej", "zoe", "xqzzt", "asdfgh", "qwerty", "j0hn"];

    /// <summary>Trains on the train split, sets the threshold on dev, and prints accepted or flagged for each candidate.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        var ml = new MLContext(seed: 0);
        var (train, dev, _) = ml.Data.SplitNames(ml.Data.LoadNames(settings.LoadWords()), SplitProtocol.Lecture);

        // Lower-case the input as the training names are; map characters never seen in training (digits, accents) to
        // one unknown symbol, which the model has never seen follow anything: very unlikely, but not an error.
        var pipeline = ml.Transforms.Text.NormalizeText("Name", "Name", keepDiacritics: true, keepPunctuations: true, keepNumbers: true)
            .Append(ml.Transforms.Text.MapCharactersToIds("Ids", "Name", UnknownCharacterPolicy.MapToUnknown))
            .Append(ml.Makemore().Trainers.NGram(order: 3, smoothing: Smoothing.KneserNey()));
        ITransformer model = pipeline.Fit(train);

        // The threshold: 99 % of real (held-out) names score below it.
        var devScores = ml.Data.CreateEnumerable<NameScore>(model.Transform(dev), reuseRowObject: false)
            .Select(s => s.NllPerCharacter).Order().ToArray();
        double threshold = devScores[(int)Math.Ceiling(0.99 * devScores.Length) - 1];
        output.WriteLine($"threshold: {threshold:F3} nats/char (99th percentile of {devScores.Length} dev names; median {devScores[devScores.Length / 2]:F3})");

        var engine = ml.Model.CreatePredictionEngine<SignUp, NameScore>(model);
        foreach (string name in Candidates)
        {
            double nll = engine.Predict(new SignUp { Name = name }).NllPerCharacter;
            output.WriteLine($"{name,-8} {nll,6:F3}  {(nll > threshold ? "flagged" : "accepted")}");
        }
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- e06 --data ../shared/data/names.txt`):
// threshold: 3.419 nats/char (99th percentile of 3203 dev names; median 2.176)
// emma      2.062  accepted
// olivia    2.277  accepted
// andrej    2.434  accepted
// zoe       2.396  accepted
// xqzzt     5.000  flagged
// asdfgh    3.694  flagged
// qwerty    3.437  flagged
// j0hn      4.651  flagged

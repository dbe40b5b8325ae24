using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Exercise E01: train a trigram language model, i.e. take two characters as an input to predict the 3rd one, by
/// counting and as a neural net. Evaluate the loss; did it improve over the bigram model? (Trained and evaluated on the
/// whole file, as the lecture does before E02 introduces a split.)
/// </summary>
public static class E01_Trigram
{
    /// <summary>Prints the full-file NLL of bigram and trigram count models, of two neural trigrams, and trigram samples.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        var ml = new MLContext(seed: 0);
        IDataView names = ml.Data.LoadNames(settings.LoadWords());
        var ids = ml.Transforms.Text.MapCharactersToIds("Ids", "Name");

        // Counting: the context is the previous two characters (two '.' pads before the first letter).
        foreach (var (order, smoothing) in new[] { (2, Smoothing.AddK(1)), (3, Smoothing.None), (3, Smoothing.AddK(1)) })
        {
            var model = ids.Append(ml.Makemore().Trainers.NGram(order, smoothing)).Fit(names);
            output.WriteLine($"counts, order {order}, {smoothing,-7}: {ml.Makemore().Evaluate(model.Transform(names))}");
        }

        // The neural net: W has one row per context pair (27² = 729 rows, "joint"), or the two one-hots are concatenated
        // (54 rows, "per position": the logits of each previous character are added, so pairs cannot interact).
        int steps = settings.Steps(300, 10);
        foreach (var context in new[] { ContextEncoding.Joint, ContextEncoding.PerPosition })
        {
            var trainer = ml.Makemore().Trainers.SoftmaxRegression(blockSize: 2, steps: steps, context: context);
            var model = ids.Append(trainer).Fit(names);
            output.WriteLine($"neural, block 2, {context,-11}, {steps} steps: loss {model.LastTransformer.Training.History[^1].Loss:F4}, {ml.Makemore().Evaluate(model.Transform(names))}");
        }

        var trigram = ids.Append(ml.Makemore().Trainers.NGram(order: 3)).Fit(names);
        output.WriteLine($"trigram samples: {string.Join(" ", NameGenerator.From(trigram).Generate(8))}");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- e01 --data ../shared/data/names.txt`):
// counts, order 2, add-k:1: NLL 2.45458 nats/char (3.5412 bits/char, perplexity 11.642) over 228,146 characters of 32,033 items
// counts, order 3, add-k:0: NLL 2.18574 nats/char (3.1534 bits/char, perplexity 8.897) over 228,146 characters of 32,033 items
// counts, order 3, add-k:1: NLL 2.21258 nats/char (3.1921 bits/char, perplexity 9.139) over 228,146 characters of 32,033 items
// neural, block 2, Joint      , 300 steps: loss 2.3391, NLL 2.32808 nats/char (3.3587 bits/char, perplexity 10.258) over 228,146 characters of 32,033 items
// neural, block 2, PerPosition, 300 steps: loss 2.4383, NLL 2.36688 nats/char (3.4147 bits/char, perplexity 10.664) over 228,146 characters of 32,033 items
// trigram samples: miq axx mereyannyaar knooraen el marviovania odarimalabelon hamirelslen

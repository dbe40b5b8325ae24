using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 10: sample from the trained net exactly as from the counts, only the row of probabilities now comes from
/// <c>softmax(one_hot(ix) @ W)</c>. Trained long enough, the net gives (almost) the count model's names: both are the
/// same bigram model, one counted, one learned.
/// </summary>
public static class C10_SamplingFromTheNet
{
    /// <summary>Trains the net for 100 and 300 steps and prints five names from each, and from the counts.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        var sequences = words.Select(w => vocabulary.Encode(w)).ToList();
        int v = vocabulary.Size;

        foreach (int steps in new[] { settings.Steps(100, 5), settings.Steps(300, 20) })
        {
            // The estimator also trains on id sequences directly, without an IDataView.
            var trainer = new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { Training = { Steps = steps } });
            var (net, training) = trainer.Train(vocabulary, sequences);
            float[] W = net.Weights.ToArray(); // (27 × 27), row-major

            // The lecture's loop: xenc = one_hot([ix], 27); logits = xenc @ W (row ix of W); p = softmax(logits).
            var g = new TorchGenerator(2147483647);
            var names = Enumerable.Range(0, 5).Select(_ => C05_SamplingFromTheCounts.SampleName(ix =>
            {
                float[] logits = W[(ix * v)..((ix + 1) * v)];
                float[] counts = logits.Select(MathF.Exp).ToArray(); // counts = logits.exp()
                float sum = counts.Sum();
                return counts.Select(c => c / sum).ToArray(); // p = counts / counts.sum(1, keepdims=True)
            }, g, vocabulary));
            output.WriteLine($"net, {steps,3} steps (loss {training.History[^1].Loss:F4}): {string.Join(" ", names)}");

            // The library's sampler gives the same names (without the end dot).
            output.WriteLine($"  NameGenerator:              {string.Join(" ", new NameGenerator(net).Generate(5))}");
        }

        var counted = NGramModel.Fit(vocabulary, order: 2, Smoothing.AddK(1), sequences);
        output.WriteLine($"counts, add-1:                 {string.Join(" ", new NameGenerator(counted).Generate(5))}");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c10 --data ../shared/data/names.txt`):
// net, 100 steps (loss 2.4901): mor. axx. minaymoryles. kondmaisah. anchthizarie.
//   NameGenerator:              mor axx minaymoryles kondmaisah anchthizarie
// net, 300 steps (loss 2.4815): mor. axx. minaymoryles. kondlaisah. anchthizarie.
//   NameGenerator:              mor axx minaymoryles kondlaisah anchthizarie
// counts, add-1:                 mor axx minaymoryles kondlaisah anchshizarie

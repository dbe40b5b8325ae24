using Microsoft.ML;
using System.Diagnostics;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Exercise E04: we saw that our one-hot vectors merely select a row of W, so producing these vectors explicitly
/// feels wasteful. Index into W instead: <c>W[xs]</c> is <c>one_hot(xs) @ W</c>, without the (n × 27) matrix.
/// </summary>
public static class E04_IndexingInsteadOfOneHot
{
    /// <summary>Compares the two forward passes on every bigram, then trains with each and prints both losses.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        var sequences = words.Select(w => vocabulary.Encode(w)).ToList();
        int v = vocabulary.Size;
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);

        using (var scope = NewDisposeScope())
        {
            long[] xs = sequences.SelectMany(ids => new[] { 0 }.Concat(ids)).Select(i => (long)i).ToArray();
            var x = tensor(xs); // (n): every bigram's first character
            var W = randn(v, v, generator: new Generator(2147483647)); // (27, 27)
            var oneHot = F.one_hot(x, v).to(float32).matmul(W); // (n, 27) @ (27, 27) → (n, 27)
            var indexed = W[x]; // (n, 27): row xs[k] of W
            output.WriteLine($"{xs.Length} bigrams: one_hot(xs) @ W has shape ({string.Join(", ", oneHot.shape)}), W[xs] ({string.Join(", ", indexed.shape)}); max |difference| = {(oneHot - indexed).abs().max().item<float>()}");
        }

        int steps = settings.Steps(100, 5);
        var curves = new Dictionary<InputEncoding, (IReadOnlyList<TrainingProgress> History, TimeSpan Time)>();
        foreach (var encoding in new[] { InputEncoding.OneHot, InputEncoding.Embedding })
        {
            // Every event as its own row (no deduplication), as in the lecture, so the one-hot matrix has n rows.
            var trainer = new SoftmaxRegressionEstimator(new MLContext(), new SoftmaxRegressionEstimator.Options { Encoding = encoding, DeduplicateFullBatch = false, Training = { Steps = steps } });
            var stopwatch = Stopwatch.StartNew();
            var training = trainer.Train(vocabulary, sequences).Training;
            curves[encoding] = (training.History, stopwatch.Elapsed);
        }
        foreach (int step in new[] { 1, 10, steps }.Distinct().Where(s => s <= steps))
            output.WriteLine($"step {step,3}: one-hot loss {curves[InputEncoding.OneHot].History[step - 1].Loss:F4}, indexing loss {curves[InputEncoding.Embedding].History[step - 1].Loss:F4}");
        double largest = curves[InputEncoding.OneHot].History.Zip(curves[InputEncoding.Embedding].History).Max(p => Math.Abs(p.First.Loss - p.Second.Loss));
        output.WriteLine($"largest difference over {steps} steps: {largest:0.0E+0} (float32 rounding)");
        output.WriteLine($"time: one-hot {curves[InputEncoding.OneHot].Time.TotalSeconds:F1} s, indexing {curves[InputEncoding.Embedding].Time.TotalSeconds:F1} s");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- e04 --data ../shared/data/names.txt`):
// 228146 bigrams: one_hot(xs) @ W has shape (228146, 27), W[xs] (228146, 27); max |difference| = 0
// step   1: one-hot loss 3.7686, indexing loss 3.7686
// step  10: one-hot loss 2.7188, indexing loss 2.7188
// step 100: one-hot loss 2.4901, indexing loss 2.4901
// largest difference over 100 steps: 2.1E-5 (float32 rounding)
// time: one-hot 12.4 s, indexing 6.8 s   (times vary: 2 cores, one libtorch thread)

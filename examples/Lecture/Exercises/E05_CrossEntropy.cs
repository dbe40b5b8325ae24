using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Exercise E05: look up and use <c>F.cross_entropy</c> instead of the hand-written softmax and NLL. You should
/// achieve the same result. Can you think of why we'd prefer to use it? (It is one fused operation, and it stays
/// finite where <c>exp</c> overflows.) The library's loss, <see cref="Loss.Nll"/>, is <c>cross_entropy</c>.
/// </summary>
public static class E05_CrossEntropy
{
    /// <summary>Computes the loss of random W on every bigram both ways, then with logits too large for exp.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        int v = vocabulary.Size;
        var xs = new List<long>();
        var ys = new List<long>();
        foreach (string w in words)
        {
            int[] ids = [0, .. vocabulary.Encode(w), 0];
            for (int i = 0; i + 1 < ids.Length; i++)
            {
                xs.Add(ids[i]);
                ys.Add(ids[i + 1]);
            }
        }

        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);
        using var scope = NewDisposeScope();
        var W = randn(v, v, generator: new Generator(2147483647)); // (27, 27)
        var x = tensor(xs.ToArray()); // (n)
        var y = tensor(ys.ToArray()); // (n)
        var logits = W[x]; // (n, 27)

        // counts = logits.exp(); probs = counts / counts.sum(1, keepdims=True); loss = -probs[arange(n), ys].log().mean()
        float handWritten = Loss.HandWrittenNll(logits, y).item<float>();
        float crossEntropy = Loss.Nll(logits, y).item<float>(); // F.cross_entropy(logits, ys)
        output.WriteLine($"{xs.Count} bigrams, random W: hand-written {handWritten:F6}, cross_entropy {crossEntropy:F6}, difference {Math.Abs(handWritten - crossEntropy):0.0E+0}");

        // Multiply the logits by 100: exp overflows float32 (e^88.7 is its limit), inf / inf = nan. cross_entropy
        // subtracts each row's maximum first, so it never exponentiates anything larger than 0.
        var large = logits * 100;
        output.WriteLine($"logits × 100: hand-written {Loss.HandWrittenNll(large, y).item<float>()}, cross_entropy {Loss.Nll(large, y).item<float>():F4}");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- e05 --data ../shared/data/names.txt`):
// 228146 bigrams, random W: hand-written 3.758954, cross_entropy 3.758953, difference 4.8E-7
// logits × 100: hand-written NaN, cross_entropy 192.6446

using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Text;
using Makemore.ML.TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 9: the same bigram model as a neural net. The previous character, one-hot encoded, times a 27 × 27 weight
/// matrix W gives 27 logits (log-counts); exponentiate and normalise (softmax) to get probabilities; the loss is the
/// average NLL of the right next characters; gradient descent nudges W to lower it. An L2 penalty on W plays the part of
/// the fake counts.
/// </summary>
public static class C09_TheNeuralNet
{
    /// <summary>Walks through one forward and backward pass on ".emma.", then trains on every name with the library.</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        int v = vocabulary.Size;
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);

        using (var scope = NewDisposeScope())
        {
            // The training set of the first name: inputs xs, labels ys.
            string w = words[0];
            int[] ids = vocabulary.Encode(w);
            long[] xs = [0, .. ids.Select(i => (long)i)];
            long[] ys = [.. ids.Select(i => (long)i), 0];
            output.WriteLine($".{w}.: xs = [{string.Join(", ", xs)}], ys = [{string.Join(", ", ys)}]");

            var x = tensor(xs); // (5)
            var xenc = F.one_hot(x, v).to(float32); // (5, 27): row k is 1 at xs[k]
            var g = new Generator(2147483647);
            var W = randn(v, v, generator: g, requires_grad: true); // (27, 27)
            output.WriteLine($"xenc.shape = ({string.Join(", ", xenc.shape)}); W = torch.randn((27, 27), generator=g): W[0, :5] = {Row(W[0], 5)}");

            for (int step = 0; step < 3; step++)
            {
                var logits = xenc.matmul(W); // (5, 27) log-counts
                var counts = logits.exp(); // (5, 27) counts
                var probs = counts / counts.sum(1, keepdim: true); // (5, 27) softmax: each row sums to 1
                var loss = -probs[arange(xs.Length), tensor(ys)].log().mean(); // average NLL of the labels
                if (step == 0)
                {
                    for (int k = 0; k < xs.Length; k++)
                    {
                        float p = probs[k, ys[k]].item<float>();
                        output.WriteLine($"  bigram {vocabulary.SymbolOf((int)xs[k])}{vocabulary.SymbolOf((int)ys[k])}: probability of the label {p:F4}, NLL {-Math.Log(p):F4}");
                    }
                }
                output.WriteLine($"step {step}: average NLL on .{w}. = {loss.item<float>():F4}");
                W.grad?.zero_(); // W.grad = None
                loss.backward();
                using (no_grad())
                    W.add_(W.grad!, alpha: -0.1); // W.data += -0.1 * W.grad
            }
        }

        // Every name, full batch, lr 50, L2 0.01 (the lecture's loop), through an ML.NET pipeline.
        var ml = new MLContext(seed: 0);
        IDataView names = ml.Data.LoadNames(words);
        int steps = settings.Steps(100, 10);
        var trainer = ml.Makemore().Trainers.SoftmaxRegression(steps: steps, learningRate: 50, l2: 0.01);
        var model = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(trainer).Fit(names);
        foreach (int step in new[] { 1, 10, 100 }.Where(s => s <= steps))
        {
            var progress = model.LastTransformer.Training.History[step - 1];
            output.WriteLine($"all names, step {step,3}: loss {progress.Loss:F4} (NLL {progress.DataLoss:F4} + L2)");
        }
        output.WriteLine($"after {steps} steps: {ml.Makemore().Evaluate(model.Transform(names))}");

        // Regularisation: L2 pulls W towards 0, i.e. towards equal logits and a uniform distribution, as fake counts do.
        var countModel = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(ml.Makemore().Trainers.NGram(order: 2, smoothing: Smoothing.AddK(1))).Fit(names);
        output.WriteLine($"count model, add-1:           NLL {ml.Makemore().Evaluate(countModel.Transform(names)).NllPerCharacter:F4}");
        int longSteps = settings.Steps(1000, 20);
        foreach (double l2 in new[] { 0.0, 0.01 })
        {
            var regularised = ml.Makemore().Trainers.SoftmaxRegression(steps: longSteps, l2: l2);
            var fitted = ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(regularised).Fit(names);
            var weights = fitted.LastTransformer.Model.Weights.ToArray();
            output.WriteLine($"L2 {l2,-4}, {longSteps} steps: loss {fitted.LastTransformer.Training.History[^1].Loss:F4}, NLL {ml.Makemore().Evaluate(fitted.Transform(names)).NllPerCharacter:F4}, mean(W²) {weights.Average(x => (double)x * x):F3}");
        }
    }

    private static string Row(Tensor t, int count) =>
        string.Join(" ", Enumerable.Range(0, count).Select(i => t[i].item<float>().ToString("F4")));
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c09 --data ../shared/data/names.txt`):
// .emma.: xs = [0, 5, 13, 13, 1], ys = [5, 13, 13, 1, 0]
// xenc.shape = (5, 27); W = torch.randn((27, 27), generator=g): W[0, :5] = 1.5674 -0.2373 -0.0274 -1.1008 0.2859
//   bigram .e: probability of the label 0.0123, NLL 4.3993
//   bigram em: probability of the label 0.0181, NLL 4.0146
//   bigram mm: probability of the label 0.0267, NLL 3.6234
//   bigram ma: probability of the label 0.0737, NLL 2.6081
//   bigram a.: probability of the label 0.0150, NLL 4.2012
// step 0: average NLL on .emma. = 3.7693
// step 1: average NLL on .emma. = 3.7492
// step 2: average NLL on .emma. = 3.7292
// all names, step   1: loss 3.7686 (NLL 3.7590 + L2)
// all names, step  10: loss 2.7188 (NLL 2.7105 + L2)
// all names, step 100: loss 2.4901 (NLL 2.4750 + L2)
// after 100 steps: NLL 2.47476 nats/char (3.5703 bits/char, perplexity 11.879) over 228,146 characters of 32,033 items
// count model, add-1:           NLL 2.4546
// L2 0   , 1000 steps: loss 2.4554, NLL 2.4554, mean(W²) 3.230
// L2 0.01, 1000 steps: loss 2.4804, NLL 2.4604, mean(W²) 2.000

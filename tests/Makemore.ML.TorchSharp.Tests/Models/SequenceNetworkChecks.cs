using Makemore.ML.Text;
using Makemore.ML.TorchSharp.Models;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Models;

/// <summary>Checks every <see cref="ISequenceNetwork"/> must pass: its C# model computes the same distributions, and training lowers its loss.</summary>
internal static class SequenceNetworkChecks
{
    public static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");

    /// <summary>Moves every parameter by N(0, 0.1²) so that LayerNorm gains, biases and zero-initialised values are exercised too.</summary>
    public static void Perturb(ISequenceNetwork network, Generator generator)
    {
        using var _ = no_grad();
        foreach (var p in network.Module.parameters())
            p.add_(randn(p.shape, generator: generator) * 0.1);
    }

    /// <summary>
    /// For random items of <paramref name="length"/> positions (the start token and length − 1 characters), the C#
    /// model's next-symbol distributions at every position (decoding) and its whole-item log-probabilities equal softmax of
    /// the TorchSharp logits to 1e-4.
    /// </summary>
    public static void CSharpForwardEqualsTorchSharpForward(ISequenceNetwork network, int length, Generator generator)
    {
        const int Items = 4;
        int v = Vocabulary.Size;
        using var scope = NewDisposeScope();
        var characters = randint(1, v, [Items, length - 1], generator: generator); // (B, T − 1), no boundary
        var inputs = cat([zeros(Items, 1, dtype: int64), characters], 1); // (B, T): start token first
        float[] expected;
        using (no_grad())
            expected = nn.functional.softmax(network.Forward(inputs), 2).data<float>().ToArray(); // (B, T, V)
        var model = network.ToModel(Vocabulary);
        long[] all = length > 1 ? characters.data<long>().ToArray() : []; // TorchSharp cannot read an empty tensor
        var p = new double[v];
        for (int item = 0; item < Items; item++)
        {
            int[] ids = [.. all.Skip(item * (length - 1)).Take(length - 1).Select(x => (int)x)];
            var whole = new double[length];
            model.LogProbabilities(ids, whole);
            var decoder = model.StartDecoding();
            for (int t = 0; t < length; t++)
            {
                decoder.NextProbabilities(p);
                for (int c = 0; c < v; c++)
                    Assert.AreEqual(expected[(item * length + t) * v + c], p[c], 1e-4, $"item {item}, position {t}, symbol {c}");
                int target = t < ids.Length ? ids[t] : 0;
                Assert.AreEqual(Math.Log(expected[(item * length + t) * v + target]), whole[t], 1e-3, $"item {item}, position {t}: whole-item ln p");
                if (t < ids.Length)
                    decoder.Append(ids[t]);
            }
        }
    }

    /// <summary>Mean cross-entropy of <paramref name="network"/> on <paramref name="names"/> before and after AdamW steps (makemore.py's settings, full batch).</summary>
    public static (double Before, double After) Train(ISequenceNetwork network, IReadOnlyList<string> names, int steps)
    {
        int t = network.BlockSize, n = names.Count;
        // makemore.py's CharDataset: x = start, characters, 0…; y = characters, end, −1… (−1 ignored by the loss)
        var x = new long[n * t];
        var y = Enumerable.Repeat(-1L, n * t).ToArray();
        for (int i = 0; i < n; i++)
        {
            int[] ids = Vocabulary.Encode(names[i]);
            for (int k = 0; k < ids.Length; k++)
            {
                x[i * t + k + 1] = ids[k];
                y[i * t + k] = ids[k];
            }
            y[i * t + ids.Length] = 0;
        }
        using var inputs = tensor(x, [n, t]);
        using var targets = tensor(y, [n * t]);
        using var optimizer = optim.AdamW(network.DecayedParameters(), lr: 5e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.01);
        double Loss()
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            return nn.functional.cross_entropy(network.Forward(inputs).view(n * t, -1), targets, ignore_index: -1).item<float>();
        }
        double before = Loss();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(network.Forward(inputs).view(n * t, -1), targets, ignore_index: -1);
            loss.backward();
            optimizer.step();
        }
        return (before, Loss());
    }
}

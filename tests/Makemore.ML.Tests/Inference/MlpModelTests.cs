using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

/// <summary>The MLP family's plain C# forward pass: the contract, and equality with the unfolded textbook computation.</summary>
[TestClass]
public sealed class MlpModelTests
{
    private static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");
    private static readonly string[] Probes = ["", "a", "emma", "isabella", new string('z', 30)];

    /// <summary>A model with random parameters: levels given as (group size, output size, batch norm?).</summary>
    internal static MlpModel Random(int seed, int blockSize, int embeddingSize, params (int Group, int Out, bool BatchNorm)[] levels)
    {
        var random = new Random(seed);
        float[] Values(long n, double scale = 1) => Enumerable.Range(0, (int)n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        int v = Vocabulary.Size, width = embeddingSize;
        var layers = new List<MlpLayer>();
        foreach (var (group, output, batchNorm) in levels)
        {
            var bn = batchNorm
                ? new BatchNormStatistics(Values(output, 2), Values(output), Values(output), Values(output).Select(x => x * x + 0.1f).ToArray(), 1e-5f)
                : null;
            layers.Add(new MlpLayer(group, width, output, Values((long)group * width * output, 1 / Math.Sqrt(group * width)), batchNorm ? null : Values(output), bn));
            width = output;
        }
        return new MlpModel(Vocabulary, blockSize, embeddingSize, Values((long)v * embeddingSize), layers, Values((long)width * v), Values(v));
    }

    [TestMethod]
    public void BengioMlpKeepsTheContract() => LanguageModelContract.Verify(Random(1, 3, 10, (3, 64, false)), Probes, 1e-9);

    [TestMethod]
    public void BatchNormMlpKeepsTheContract() => LanguageModelContract.Verify(Random(2, 3, 10, (3, 64, true), (1, 32, true)), Probes, 1e-9);

    [TestMethod]
    public void WaveNetKeepsTheContract() => LanguageModelContract.Verify(Random(3, 8, 24, (2, 32, true), (2, 32, true), (2, 32, true)), Probes, 1e-9);

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ForwardEqualsTheUnfoldedComputationInDoublePrecision(bool wavenet)
    {
        var model = wavenet ? Random(4, 8, 6, (2, 16, true), (2, 16, true), (2, 16, true)) : Random(5, 3, 6, (3, 16, true));
        var context = wavenet ? new[] { 0, 0, 5, 1, 13, 13, 1, 9 } : new[] { 5, 13, 13 };
        var p = new double[Vocabulary.Size];
        model.GetNextProbabilities(context, p);
        var expected = Textbook(model, context);
        for (int c = 0; c < p.Length; c++)
            Assert.AreEqual(expected[c], p[c], 1e-5, $"symbol {c}");
    }

    // emb → per level: concat groups, x·W + b, (x − mean)/√(var + ε)·γ + β, tanh → read-out → softmax; all in double.
    private static double[] Textbook(MlpModel model, int[] context)
    {
        int e = model.EmbeddingSize;
        var vectors = context.Select(id => model.Embedding.Slice(id * e, e).ToArray().Select(x => (double)x).ToArray()).ToList();
        foreach (var layer in model.Layers)
        {
            var next = new List<double[]>();
            for (int g = 0; g < vectors.Count; g += layer.GroupSize)
            {
                double[] x = vectors.Skip(g).Take(layer.GroupSize).SelectMany(v => v).ToArray();
                var y = new double[layer.OutputSize];
                for (int o = 0; o < y.Length; o++)
                {
                    double s = layer.Bias?[o] ?? 0;
                    for (int i = 0; i < x.Length; i++)
                        s += x[i] * layer.Weight[i * layer.OutputSize + o];
                    if (layer.BatchNorm is { } bn)
                        s = (s - bn.RunningMean[o]) / Math.Sqrt(bn.RunningVariance[o] + bn.Epsilon) * bn.Gain[o] + bn.Bias[o];
                    y[o] = Math.Tanh(s);
                }
                next.Add(y);
            }
            vectors = next;
        }
        double[] h = vectors.Single();
        int v = model.Vocabulary.Size;
        var logits = Enumerable.Range(0, v).Select(c => model.OutputBias[c] + h.Select((x, i) => x * model.OutputWeight[i * v + c]).Sum()).ToArray();
        double max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        return exp.Select(x => x / exp.Sum()).ToArray();
    }

    [TestMethod]
    public void InconsistentShapesAreRefusedWithTheReason()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Random(6, 8, 4, (2, 8, false), (2, 8, false)));
        StringAssert.Contains(error.Message, "group sizes must multiply to the block size");
    }

    [TestMethod]
    public void TheWaveNetOfTheLectureHas76579Parameters()
    {
        // Lecture part 5: emb 24, three levels fusing pairs with 128 hidden units and batch norm, read-out 128 → 27.
        var model = Random(7, 8, 24, (2, 128, true), (2, 128, true), (2, 128, true));
        Assert.AreEqual(76_579, model.ParameterCount);
        StringAssert.Contains(model.Architecture, "[2×24→128 bn tanh]");
    }
}

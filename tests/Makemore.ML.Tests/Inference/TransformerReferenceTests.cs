using CsCheck;
using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Inference;

/// <summary>
/// The C# Transformer against a plain reference written from makemore.py's forward (doubles, whole sequence, no cache):
/// fails if position 0's precomputed keys, values or log-probabilities, the key/value cache or the multi-row kernel are
/// wrong, on makemore.py's default sizes with random weights.
/// </summary>
[TestClass]
public sealed class TransformerReferenceTests
{
    private static readonly TransformerModel Model = SequenceModelDecodingTests.RandomTransformer(7, blockSize: 16, layers: 4, heads: 4, c: 64);

    [TestMethod]
    public void LogProbabilitiesMatchTheReferenceForward()
    {
        int v = Model.Vocabulary.Size;
        Gen.Int[1, v - 1].Array[0, Model.BlockSize - 1].Sample(ids =>
        {
            double[][] expected = Reference(Model, ids);
            var actual = new double[ids.Length + 1];
            Model.LogProbabilities(ids, actual);
            for (int i = 0; i < actual.Length; i++)
                Assert.AreEqual(expected[i][i < ids.Length ? ids[i] : 0], actual[i], 2e-5, $"position {i} of [{string.Join(", ", ids)}]");
        }, iter: 200);
    }

    [TestMethod]
    public void TheDistributionAfterANameMatchesTheReference()
    {
        int v = Model.Vocabulary.Size;
        foreach (int[] ids in new[] { Array.Empty<int>(), [5], [13, 1, 18, 25] })
        {
            var next = new double[v];
            Model.LogProbabilitiesAndNext(ids, new double[ids.Length + 1], next);
            double[] expected = Reference(Model, ids)[ids.Length];
            for (int id = 0; id < v; id++)
                Assert.AreEqual(Math.Exp(expected[id]), next[id], 1e-6, $"p({id}) after [{string.Join(", ", ids)}]");
        }
    }

    // ln softmax(logits) at each position of the start token and ids: (ids.Length + 1, V).
    private static double[][] Reference(TransformerModel m, int[] ids)
    {
        int t = ids.Length + 1, c = m.EmbeddingSize, heads = m.HeadCount, hs = c / heads, v = m.Vocabulary.Size;
        int[] tokens = [0, .. ids];
        var wte = m.TokenEmbedding.ToArray();
        var wpe = m.PositionEmbedding.ToArray();
        var x = Enumerable.Range(0, t).Select(p => Enumerable.Range(0, c).Select(i => (double)wte[tokens[p] * c + i] + wpe[p * c + i]).ToArray()).ToArray();
        foreach (var b in m.Blocks)
        {
            var qkv = x.Select(row => Linear(LayerNorm(row, b.LayerNorm1Weight, b.LayerNorm1Bias), b.AttentionWeight, b.AttentionBias)).ToArray();
            for (int p = 0; p < t; p++)
            {
                var y = new double[c];
                for (int h = 0; h < heads; h++)
                {
                    var scores = Enumerable.Range(0, p + 1).Select(s => Enumerable.Range(0, hs).Sum(i => qkv[p][h * hs + i] * qkv[s][c + h * hs + i]) / Math.Sqrt(hs)).ToArray();
                    double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                    for (int s = 0; s <= p; s++)
                        for (int i = 0; i < hs; i++)
                            y[h * hs + i] += Math.Exp(scores[s] - max) / total * qkv[s][2 * c + h * hs + i];
                }
                x[p] = Add(x[p], Linear(y, b.AttentionProjectionWeight, b.AttentionProjectionBias));
            }
            for (int p = 0; p < t; p++)
            {
                var hidden = Linear(LayerNorm(x[p], b.LayerNorm2Weight, b.LayerNorm2Bias), b.MlpWeight, b.MlpBias)
                    .Select(u => 0.5 * u * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)))).ToArray();
                x[p] = Add(x[p], Linear(hidden, b.MlpProjectionWeight, b.MlpProjectionBias));
            }
        }
        var head = m.HeadWeight.ToArray();
        return [.. x.Select(row =>
        {
            var logits = Linear(LayerNorm(row, m.FinalNormWeight.ToArray(), m.FinalNormBias.ToArray()), head, new float[v]);
            double max = logits.Max(), logTotal = Math.Log(logits.Sum(l => Math.Exp(l - max))) + max;
            return logits.Select(l => l - logTotal).ToArray();
        })];
    }

    // y = b + W x with W as nn.Linear: (out, in) row-major.
    private static double[] Linear(double[] x, float[] weight, float[] bias) =>
        [.. Enumerable.Range(0, bias.Length).Select(o => bias[o] + Enumerable.Range(0, x.Length).Sum(i => (double)weight[o * x.Length + i] * x[i]))];

    private static double[] LayerNorm(double[] x, float[] gain, float[] bias)
    {
        double mean = x.Average(), variance = x.Sum(u => (u - mean) * (u - mean)) / x.Length;
        return [.. x.Select((u, i) => (u - mean) / Math.Sqrt(variance + 1e-5) * gain[i] + bias[i])];
    }

    private static double[] Add(double[] a, double[] b) => [.. a.Zip(b, (p, q) => p + q)];
}

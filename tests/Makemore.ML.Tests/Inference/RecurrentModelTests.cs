using Makemore.ML.Inference;
using Makemore.ML.Text;

namespace Makemore.ML.Tests.Inference;

/// <summary>The recurrent models' plain C# forward pass: the contract, and equality with the textbook recurrence in double precision.</summary>
[TestClass]
public sealed class RecurrentModelTests
{
    private static readonly CharacterVocabulary Vocabulary = CharacterVocabulary.FromCharacters("abcdefghijklmnopqrstuvwxyz");
    private static readonly string[] Probes = ["", "a", "emma", "isabella", new string('z', 30)];

    internal static RecurrentModel Random(RecurrentCell cell, int seed, int embeddingSize = 6, int hiddenSize = 10)
    {
        var random = new Random(seed);
        float[] Values(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        int v = Vocabulary.Size, rows = RecurrentModel.GateCount(cell) * hiddenSize;
        return new RecurrentModel(Vocabulary, cell, embeddingSize, hiddenSize, Values(RecurrentModel.StateCount(cell) * hiddenSize),
            Values(v * embeddingSize), Values(rows * (embeddingSize + hiddenSize)), Values(rows), Values(v * hiddenSize), Values(v));
    }

    [TestMethod]
    [DataRow(RecurrentCell.Rnn)]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Lstm)]
    public void KeepsTheContract(RecurrentCell cell) => LanguageModelContract.Verify(Random(cell, 1), Probes, 1e-12);

    [TestMethod]
    [DataRow(RecurrentCell.Rnn)]
    [DataRow(RecurrentCell.Gru)]
    [DataRow(RecurrentCell.Lstm)]
    public void EqualsTheTextbookRecurrence(RecurrentCell cell)
    {
        var model = Random(cell, 2);
        int[] ids = Vocabulary.Encode("isabella");
        var logp = new double[ids.Length + 1];
        model.LogProbabilities(ids, logp);
        var expected = Textbook(model, ids);
        for (int i = 0; i < logp.Length; i++)
            Assert.AreEqual(expected[i], logp[i], 1e-5, $"{cell} position {i}");
    }

    [TestMethod]
    public void RejectsParametersOfTheWrongSize()
    {
        var good = Random(RecurrentCell.Gru, 3);
        Assert.ThrowsExactly<ArgumentException>(() => new RecurrentModel(Vocabulary, RecurrentCell.Lstm, 6, 10, good.Start.ToArray(),
            good.Embedding.ToArray(), good.CellWeight.ToArray(), good.CellBias.ToArray(), good.OutputWeight.ToArray(), good.OutputBias.ToArray()),
            "GRU parameters are not an LSTM's");
    }

    // makemore.py's recurrence on [x, h] in double, written out per cell; ln softmax of lm_head(h) at each position.
    private static double[] Textbook(RecurrentModel m, int[] ids)
    {
        int e = m.EmbeddingSize, hs = m.HiddenSize, v = Vocabulary.Size;
        double[] Gate(int block, double[] x, double[] h) => Enumerable.Range(0, hs).Select(j =>
        {
            int row = block * hs + j;
            double s = m.CellBias[row];
            for (int k = 0; k < e; k++) s += m.CellWeight[row * (e + hs) + k] * x[k];
            for (int k = 0; k < hs; k++) s += m.CellWeight[row * (e + hs) + e + k] * h[k];
            return s;
        }).ToArray();
        static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));
        double[] hidden = Enumerable.Range(0, hs).Select(j => (double)m.Start[j]).ToArray();
        double[] c = m.Cell == RecurrentCell.Lstm ? Enumerable.Range(0, hs).Select(j => (double)m.Start[hs + j]).ToArray() : [];
        var result = new double[ids.Length + 1];
        for (int t = 0; t <= ids.Length; t++)
        {
            int input = t == 0 ? 0 : ids[t - 1];
            double[] x = Enumerable.Range(0, e).Select(k => (double)m.Embedding[input * e + k]).ToArray();
            var h = hidden;
            switch (m.Cell)
            {
                case RecurrentCell.Rnn:
                    hidden = Gate(0, x, h).Select(Math.Tanh).ToArray();
                    break;
                case RecurrentCell.Gru:
                    double[] z = Gate(0, x, h).Select(Sigmoid).ToArray(), r = Gate(1, x, h).Select(Sigmoid).ToArray();
                    double[] hbar = Gate(2, x, h.Select((hj, j) => r[j] * hj).ToArray()).Select(Math.Tanh).ToArray();
                    hidden = h.Select((hj, j) => (1 - z[j]) * hj + z[j] * hbar[j]).ToArray();
                    break;
                default:
                    double[] i = Gate(0, x, h).Select(Sigmoid).ToArray(), f = Gate(1, x, h).Select(Sigmoid).ToArray();
                    double[] g = Gate(2, x, h).Select(Math.Tanh).ToArray(), o = Gate(3, x, h).Select(Sigmoid).ToArray();
                    c = c.Select((cj, j) => f[j] * cj + i[j] * g[j]).ToArray();
                    hidden = c.Select((cj, j) => o[j] * Math.Tanh(cj)).ToArray();
                    break;
            }
            double[] logits = Enumerable.Range(0, v).Select(k => m.OutputBias[k] + Enumerable.Range(0, hs).Sum(j => m.OutputWeight[k * hs + j] * hidden[j])).ToArray();
            double max = logits.Max(), logSum = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            result[t] = logits[t < ids.Length ? ids[t] : 0] - logSum;
        }
        return result;
    }
}

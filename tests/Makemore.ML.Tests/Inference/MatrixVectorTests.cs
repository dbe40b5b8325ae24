using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Inference;

/// <summary>The small dense kernel of the sequence models equals the textbook sum on every path (8-vector runs, single vectors, scalar tail).</summary>
[TestClass]
public sealed class MatrixVectorTests
{
    [TestMethod]
    [DataRow(64, 192)]
    [DataRow(256, 64)]
    [DataRow(64, 27)]
    [DataRow(3, 5)]
    [DataRow(7, 1)]
    public void MultiplyEqualsTheTextbookSum(int inputs, int outputs)
    {
        var random = new Random(inputs * 1000 + outputs);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] x = Values(inputs), weight = Values(inputs * outputs), bias = Values(outputs); // weight as nn.Linear: (out, in)
        var y = new float[outputs];
        MatrixVector.Multiply(x, MatrixVector.Transpose(weight, outputs, inputs), bias, y);
        for (int o = 0; o < outputs; o++)
        {
            double expected = bias[o];
            for (int i = 0; i < inputs; i++)
                expected += (double)x[i] * weight[o * inputs + i];
            Assert.AreEqual(expected, y[o], 1e-4, $"output {o}");
        }
    }
}

using Makemore.ML.Inference;

namespace Makemore.ML.Tests.Inference;

/// <summary>
/// The small dense kernel of the sequence models equals the textbook sum on every path (8-vector runs, single vectors,
/// scalar tail), and its AVX-512 tiles (where the machine has them) give the portable tiles' numbers bit for bit.
/// </summary>
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

    [TestMethod]
    [DataRow(64, 192)]
    [DataRow(256, 64)]
    [DataRow(64, 32)]
    [DataRow(64, 48)]
    [DataRow(64, 27)]
    [DataRow(5, 16)]
    public void EveryRowCountGivesTheOneRowNumbersOnBothKernels(int inputs, int outputs)
    {
        var random = new Random(inputs * 1000 + outputs);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] weight = MatrixVector.Transpose(Values(inputs * outputs), outputs, inputs), bias = Values(outputs);
        for (int rows = 1; rows <= 15; rows++)
        {
            float[] x = Values(rows * inputs), wide = new float[rows * outputs], portable = new float[rows * outputs], single = new float[outputs];
            MatrixVector.MultiplyRows(x, rows, weight, bias, wide);
            MatrixVector.MultiplyRowsPortable(x, rows, weight, bias, portable);
            for (int r = 0; r < rows; r++)
            {
                MatrixVector.Multiply(x.AsSpan(r * inputs, inputs), weight, bias, single);
                for (int o = 0; o < outputs; o++)
                {
                    Assert.AreEqual(single[o], wide[r * outputs + o], $"MultiplyRows, {rows} rows: row {r}, output {o}");
                    Assert.AreEqual(single[o], portable[r * outputs + o], $"MultiplyRowsPortable, {rows} rows: row {r}, output {o}");
                    double expected = bias[o];
                    for (int i = 0; i < inputs; i++)
                        expected += (double)x[r * inputs + i] * weight[i * outputs + o];
                    Assert.AreEqual(expected, wide[r * outputs + o], 1e-4, $"{rows} rows: row {r}, output {o} against the textbook sum");
                }
            }
        }
    }
}

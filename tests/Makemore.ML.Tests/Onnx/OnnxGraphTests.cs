using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Makemore.ML.Onnx;

namespace Makemore.ML.Tests.Onnx;

/// <summary>
/// The graph builder's helpers that the sequence models need (masks, shapes, normalisation), each run in ONNX Runtime on a
/// small input and compared with values computed by hand.
/// </summary>
[TestClass]
public sealed class OnnxGraphTests
{
    private static readonly float[] X = [1, -2, 3, 0.5f, 4, -1]; // (2, 3)

    // Builds a graph with input x (float [2, 3]) and one output, runs it, returns the output and its shape.
    private static (float[] Values, int[] Shape) Run(Func<OnnxGraph, OnnxValue, OnnxValue> build)
    {
        var graph = new OnnxGraph();
        var x = graph.Input("x", OnnxDataType.Float, 2, 3);
        graph.Output(build(graph, x), "y", OnnxDataType.Float, "a", "b");
        using var stream = new MemoryStream();
        OnnxModelWriter.Write(graph, "test", [], stream);
        using var session = new InferenceSession(stream.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(X, [2, 3]))]);
        var y = results[0].AsTensor<float>();
        return (y.ToArray(), y.Dimensions.ToArray());
    }

    private static void AssertValues(float[] expected, float[] actual, double delta = 1e-6)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], delta, $"element {i}");
    }

    [TestMethod]
    public void TriluOfOnesIsTheCausalMask()
    {
        var (mask, shape) = Run((g, x) => g.Trilu(g.Expand(g.Scalar(1f), g.Int64s(3, 3)), upper: false));
        CollectionAssert.AreEqual(new[] { 3, 3 }, shape);
        AssertValues([1, 0, 0, 1, 1, 0, 1, 1, 1], mask);
    }

    [TestMethod]
    public void ShapeRangeAndCastGiveThePositions()
    {
        // positions 0..T−1 of a (B, T) input, T read from the graph: what learned position embeddings gather
        var (positions, shape) = Run((g, x) =>
            g.Cast(g.Range(g.Scalar(0L), g.Squeeze(g.Shape(x, start: 1, end: 2), 0), g.Scalar(1L)), OnnxDataType.Float));
        CollectionAssert.AreEqual(new[] { 3 }, shape);
        AssertValues([0, 1, 2], positions);
    }

    [TestMethod]
    public void SoftmaxTransposeAndGemm()
    {
        double e1 = Math.Exp(1), e2 = Math.Exp(-2), e3 = Math.Exp(3);
        var (softmax, _) = Run((g, x) => g.Softmax(x));
        AssertValues([(float)(e1 / (e1 + e2 + e3)), (float)(e2 / (e1 + e2 + e3)), (float)(e3 / (e1 + e2 + e3))], softmax[..3]);
        var (transposed, shape) = Run((g, x) => g.Transpose(x, 1, 0));
        CollectionAssert.AreEqual(new[] { 3, 2 }, shape);
        AssertValues([1, 0.5f, -2, 4, 3, -1], transposed);
        // x · xᵀ + 1: (2, 2)
        var (gram, _) = Run((g, x) => g.Gemm(x, x, g.Scalar(1f), transposeB: true));
        AssertValues([1 + 4 + 9 + 1, 0.5f - 8 - 3 + 1, 0.5f - 8 - 3 + 1, 0.25f + 16 + 1 + 1], gram);
    }

    [TestMethod]
    public void LayerNormalizationSigmoidAndReductions()
    {
        var (normalised, _) = Run((g, x) => g.LayerNormalization(x, g.Initializer([1f, 1, 1], 3), g.Initializer([0f, 0, 0], 3), 1e-5f));
        double mean = (1 - 2 + 3) / 3.0, variance = ((1 - mean) * (1 - mean) + (-2 - mean) * (-2 - mean) + (3 - mean) * (3 - mean)) / 3;
        AssertValues([(float)((1 - mean) / Math.Sqrt(variance + 1e-5)), (float)((-2 - mean) / Math.Sqrt(variance + 1e-5)), (float)((3 - mean) / Math.Sqrt(variance + 1e-5))], normalised[..3], 1e-5);
        var (sigmoid, _) = Run((g, x) => g.Sigmoid(x));
        AssertValues([(float)(1 / (1 + Math.Exp(-1)))], sigmoid[..1]);
        var (max, maxShape) = Run((g, x) => g.ReduceMax(x, [1]));
        CollectionAssert.AreEqual(new[] { 2 }, maxShape);
        AssertValues([3, 4], max);
        var (sum, _) = Run((g, x) => g.ReduceSum(x, [1], keepDimensions: true));
        AssertValues([2, 3.5f], sum);
    }

    [TestMethod]
    public void ScopesKeepNamesApartAndAnOutputNameIsClaimedOnce()
    {
        var graph = new OnnxGraph();
        var x = graph.Input("x", OnnxDataType.Float, 1);
        OnnxValue a, b;
        using (graph.Scope("component1"))
            a = graph.Tanh(x);
        using (graph.Scope("component2"))
            b = graph.Tanh(x);
        Assert.AreNotEqual(a.Name, b.Name);
        StringAssert.StartsWith(a.Name, "component1/");
        graph.Output(a, "y", OnnxDataType.Float, 1);
        Assert.ThrowsExactly<InvalidOperationException>(() => graph.Output(b, "y", OnnxDataType.Float, 1));
    }
}

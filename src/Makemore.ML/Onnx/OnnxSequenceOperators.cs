namespace Makemore.ML.Onnx;

/// <summary>
/// Operators the sequence models' graphs (recurrent, bag of words, Transformer) use beyond <see cref="OnnxGraph"/>'s own
/// helpers: slices and reshapes to sizes computed in the graph, running sums, and ONNX's recurrent operators.
/// </summary>
internal static class OnnxSequenceOperators
{
    /// <summary>x[0 : ends] along <paramref name="axes"/>, with <paramref name="ends"/> a 1-D int64 tensor computed in the graph (e.g. a <c>Shape</c>).</summary>
    public static OnnxValue SliceTo(this OnnxGraph graph, OnnxValue x, OnnxValue ends, params long[] axes) =>
        graph.Node("Slice", x, graph.Int64s(new long[axes.Length]), ends, graph.Int64s(axes));

    /// <summary>Reshapes to a shape computed in the graph, where 0 is an empty dimension (<c>allowzero</c>), not "copy the input's".</summary>
    public static OnnxValue ReshapeAllowingZero(this OnnxGraph graph, OnnxValue x, OnnxValue shape) =>
        graph.Node("Reshape", [x, shape], 1, OnnxAttribute.Of("allowzero", 1L))[0];

    /// <summary>The running sum along <paramref name="axis"/>: y[…, t, …] = Σ_{s ≤ t} x[…, s, …], added in order.</summary>
    public static OnnxValue CumSum(this OnnxGraph graph, OnnxValue x, long axis) => graph.Node("CumSum", x, graph.Scalar(axis));

    /// <summary>
    /// ONNX's <c>RNN</c>, <c>GRU</c> or <c>LSTM</c> (forward, one layer, default activations, sequence-major layout) over
    /// x (T, B, I): the hidden state at every step, (T, 1, B, H). The gate blocks of <paramref name="weight"/> (1, gates·H, I),
    /// <paramref name="recurrentWeight"/> (1, gates·H, H) and <paramref name="bias"/> (1, 2·gates·H: input biases, then
    /// recurrent ones) are in the operator's order; the initial states are (1, B, H), <paramref name="initialCell"/> for the
    /// LSTM only.
    /// </summary>
    public static OnnxValue Recurrence(this OnnxGraph graph, string opType, OnnxValue x, OnnxValue weight, OnnxValue recurrentWeight,
        OnnxValue bias, int hiddenSize, OnnxValue initialHidden, OnnxValue? initialCell = null)
    {
        OnnxValue none = new("");
        OnnxValue[] inputs = initialCell is { } c
            ? [x, weight, recurrentWeight, bias, none, initialHidden, c]
            : [x, weight, recurrentWeight, bias, none, initialHidden];
        return graph.Node(opType, inputs, 1, OnnxAttribute.Of("hidden_size", (long)hiddenSize))[0];
    }
}

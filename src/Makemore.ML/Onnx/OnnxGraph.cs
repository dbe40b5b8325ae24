using System.Globalization;

namespace Makemore.ML.Onnx;

/// <summary>
/// Builds an ONNX graph one operator at a time: each method adds a node (or an initializer) and returns its output, so a
/// model's graph reads like its forward pass. Names are generated (<c>{scope}/{op}_{n}</c>); <see cref="Scope"/> prefixes
/// the names of a part (an interpolation's component), so parts built by the same code never collide.
/// </summary>
/// <remarks>
/// <para>
/// Operators are those of the default domain at opset <see cref="Opset"/> (ONNX 1.12: every runtime of the last years
/// reads it; LayerNormalization and Trilu are in it) and of <c>ai.onnx.ml</c> at <see cref="MlOpset"/>
/// (<see cref="LabelEncoder"/>). An operator without a helper here is one call of <see cref="Node(string, OnnxValue[])"/>
/// or <see cref="Node(string, IReadOnlyList{OnnxValue}, int, OnnxAttribute[])"/>; add a helper when a second kind needs it.
/// Shapes in the helpers' comments are those of the language-model graphs: <c>B</c> batch, <c>T</c> time, <c>V</c> vocabulary.
/// </para>
/// <para>
/// <b>How to export a model kind.</b> Implement <see cref="IOnnxExportable"/> on the inference model (in a partial class file
/// beside it, e.g. <c>NGramModel.Onnx.cs</c>): <see cref="IOnnxExportable.BuildOnnx"/> receives this builder and the input
/// <c>idx</c> (int64 [B, T], the boundary id 0 first) and returns float32 log-probabilities [B, T, V], position t giving the
/// distribution of the symbol after idx[b, t] from idx[b, 0..t] only. Weights go in with <see cref="Initializer(ReadOnlySpan{float}, long[])"/>.
/// Reuse <see cref="OnnxWindows"/> for a left-padded window and <see cref="Scope"/> for a model made of models.
/// <see cref="OnnxExport"/> adds the graph's input, output and metadata. Then add a test of the kind beside the others in
/// tests/Makemore.ML.Tests/Onnx: <c>OnnxParity.AssertSameLogProbabilities(model, OnnxParity.Dev)</c> runs the file in
/// ONNX Runtime on every dev name and compares each ln p with <c>ILanguageModel.LogProbabilities</c> (1e-5).
/// </para>
/// </remarks>
internal sealed class OnnxGraph
{
    /// <summary>The opset of the default ONNX domain the graphs use.</summary>
    public const int Opset = 17;

    /// <summary>The opset of the <c>ai.onnx.ml</c> domain (LabelEncoder with int64 keys and float values).</summary>
    public const int MlOpset = 2;

    /// <summary>The <c>ai.onnx.ml</c> domain's name.</summary>
    public const string MlDomain = "ai.onnx.ml";

    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<(string Name, OnnxDataType Type, OnnxDimension[] Shape)> _inputs = [];
    private readonly List<(string Name, OnnxDataType Type, OnnxDimension[] Shape)> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private string _scope = "";

    /// <summary>The graph's nodes, in the order added (a topological order: a node's inputs exist when it is added).</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The graph's initializers.</summary>
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    /// <summary>The graph's inputs.</summary>
    public IReadOnlyList<(string Name, OnnxDataType Type, OnnxDimension[] Shape)> Inputs => _inputs;

    /// <summary>The graph's outputs.</summary>
    public IReadOnlyList<(string Name, OnnxDataType Type, OnnxDimension[] Shape)> Outputs => _outputs;

    /// <summary>Whether a node of the <c>ai.onnx.ml</c> domain was added.</summary>
    public bool UsesMlDomain => _nodes.Any(n => n.Domain == MlDomain);

    /// <summary>Names what is built until the returned scope is disposed <c>{prefix}/…</c> (nested scopes join their prefixes).</summary>
    public IDisposable Scope(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string outer = _scope;
        _scope = outer + prefix + "/";
        return new ScopeExit(() => _scope = outer);
    }

    /// <summary>Declares a graph input.</summary>
    public OnnxValue Input(string name, OnnxDataType type, params OnnxDimension[] shape)
    {
        Claim(name);
        _inputs.Add((name, type, shape));
        return new OnnxValue(name);
    }

    /// <summary>Declares a graph output: <paramref name="value"/> under the name <paramref name="name"/> (through an Identity node).</summary>
    public void Output(OnnxValue value, string name, OnnxDataType type, params OnnxDimension[] shape)
    {
        Claim(name);
        _nodes.Add(new OnnxNode(Fresh("Identity"), "Identity", "", [value.Name], [name], []));
        _outputs.Add((name, type, shape));
    }

    // ---- constants ----

    /// <summary>A float32 initializer of the given shape (weights).</summary>
    public OnnxValue Initializer(ReadOnlySpan<float> values, params long[] shape) => Add(OnnxTensor.Floats(Fresh("w"), values, shape));

    /// <summary>A float64 initializer of the given shape.</summary>
    public OnnxValue Initializer(ReadOnlySpan<double> values, params long[] shape) => Add(OnnxTensor.Doubles(Fresh("w"), values, shape));

    /// <summary>An int64 initializer of the given shape.</summary>
    public OnnxValue Initializer(ReadOnlySpan<long> values, params long[] shape) => Add(OnnxTensor.Int64s(Fresh("c"), values, shape));

    /// <summary>A float32 scalar.</summary>
    public OnnxValue Scalar(float value) => Initializer([value]);

    /// <summary>A float64 scalar.</summary>
    public OnnxValue Scalar(double value) => Initializer([value]);

    /// <summary>An int64 scalar.</summary>
    public OnnxValue Scalar(long value) => Initializer([value]);

    /// <summary>A 1-D int64 constant (shapes, axes, pads, starts and ends).</summary>
    public OnnxValue Int64s(params long[] values) => Initializer(values, values.Length);

    // ---- generic nodes ----

    /// <summary>Adds a node of the default domain with one output and no attributes.</summary>
    public OnnxValue Node(string opType, params OnnxValue[] inputs) => Node(opType, inputs, 1)[0];

    /// <summary>Adds a node of the default domain.</summary>
    public OnnxValue[] Node(string opType, IReadOnlyList<OnnxValue> inputs, int outputs, params OnnxAttribute[] attributes) =>
        Node("", opType, inputs, outputs, attributes);

    /// <summary>Adds a node of any domain. An input named "" is an omitted optional input.</summary>
    public OnnxValue[] Node(string domain, string opType, IReadOnlyList<OnnxValue> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        string name = Fresh(opType);
        var outs = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? name : $"{name}:{i}").ToArray();
        foreach (string o in outs)
            if (o != name)
                Claim(o);
        _nodes.Add(new OnnxNode(name, opType, domain, inputs.Select(i => i.Name).ToArray(), outs, attributes));
        return outs.Select(o => new OnnxValue(o)).ToArray();
    }

    private OnnxValue Node1(string opType, OnnxValue[] inputs, params OnnxAttribute[] attributes) => Node(opType, inputs, 1, attributes)[0];

    // ---- elementwise ----

    /// <summary>a + b, broadcasting.</summary>
    public OnnxValue Add(OnnxValue a, OnnxValue b) => Node("Add", a, b);

    /// <summary>a − b, broadcasting.</summary>
    public OnnxValue Sub(OnnxValue a, OnnxValue b) => Node("Sub", a, b);

    /// <summary>a · b, broadcasting.</summary>
    public OnnxValue Mul(OnnxValue a, OnnxValue b) => Node("Mul", a, b);

    /// <summary>a / b, broadcasting (integer division truncates).</summary>
    public OnnxValue Div(OnnxValue a, OnnxValue b) => Node("Div", a, b);

    /// <summary>a mod b for integers, the sign of b (non-negative keys: the usual remainder).</summary>
    public OnnxValue Mod(OnnxValue a, OnnxValue b) => Node("Mod", a, b);

    /// <summary>The sum of any number of tensors, broadcasting.</summary>
    public OnnxValue Sum(params OnnxValue[] terms) => Node("Sum", terms);

    /// <summary>tanh.</summary>
    public OnnxValue Tanh(OnnxValue x) => Node("Tanh", x);

    /// <summary>The logistic sigmoid.</summary>
    public OnnxValue Sigmoid(OnnxValue x) => Node("Sigmoid", x);

    /// <summary>max(x, 0).</summary>
    public OnnxValue Relu(OnnxValue x) => Node("Relu", x);

    /// <summary>eˣ.</summary>
    public OnnxValue Exp(OnnxValue x) => Node("Exp", x);

    /// <summary>ln x.</summary>
    public OnnxValue Log(OnnxValue x) => Node("Log", x);

    /// <summary>√x.</summary>
    public OnnxValue Sqrt(OnnxValue x) => Node("Sqrt", x);

    /// <summary>Whether each element is NaN.</summary>
    public OnnxValue IsNaN(OnnxValue x) => Node("IsNaN", x);

    /// <summary>a == b, broadcasting.</summary>
    public OnnxValue Equal(OnnxValue a, OnnxValue b) => Node("Equal", a, b);

    /// <summary>a &lt; b, broadcasting.</summary>
    public OnnxValue Less(OnnxValue a, OnnxValue b) => Node("Less", a, b);

    /// <summary>a &gt; b, broadcasting.</summary>
    public OnnxValue Greater(OnnxValue a, OnnxValue b) => Node("Greater", a, b);

    /// <summary>Picks <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else <paramref name="whenFalse"/>, broadcasting.</summary>
    public OnnxValue Where(OnnxValue condition, OnnxValue whenTrue, OnnxValue whenFalse) => Node("Where", condition, whenTrue, whenFalse);

    /// <summary>Converts the element type.</summary>
    public OnnxValue Cast(OnnxValue x, OnnxDataType to) => Node1("Cast", [x], OnnxAttribute.Of("to", (long)to));

    // ---- linear algebra and normalisation ----

    /// <summary>Matrix product with numpy's broadcasting: (…, n, k) · (k, m) → (…, n, m).</summary>
    public OnnxValue MatMul(OnnxValue a, OnnxValue b) => Node("MatMul", a, b);

    /// <summary>α·A'·B' + β·C for 2-D A and B (A' = Aᵀ when <paramref name="transposeA"/>, likewise B).</summary>
    public OnnxValue Gemm(OnnxValue a, OnnxValue b, OnnxValue? c = null, bool transposeA = false, bool transposeB = false) =>
        Node1("Gemm", c is { } bias ? [a, b, bias] : [a, b], OnnxAttribute.Of("transA", transposeA ? 1L : 0L), OnnxAttribute.Of("transB", transposeB ? 1L : 0L));

    /// <summary>Softmax along <paramref name="axis"/>.</summary>
    public OnnxValue Softmax(OnnxValue x, long axis = -1) => Node1("Softmax", [x], OnnxAttribute.Of("axis", axis));

    /// <summary>Log-softmax along <paramref name="axis"/> (computed stably by the runtime).</summary>
    public OnnxValue LogSoftmax(OnnxValue x, long axis = -1) => Node1("LogSoftmax", [x], OnnxAttribute.Of("axis", axis));

    /// <summary>Layer normalisation over the last axes from <paramref name="axis"/> on, with scale γ and bias β.</summary>
    public OnnxValue LayerNormalization(OnnxValue x, OnnxValue scale, OnnxValue bias, float epsilon, long axis = -1) =>
        Node1("LayerNormalization", [x, scale, bias], OnnxAttribute.Of("axis", axis), OnnxAttribute.Of("epsilon", epsilon));

    /// <summary>Σ over <paramref name="axes"/> (dropped unless <paramref name="keepDimensions"/>).</summary>
    public OnnxValue ReduceSum(OnnxValue x, long[] axes, bool keepDimensions = false) =>
        Node1("ReduceSum", [x, Int64s(axes)], OnnxAttribute.Of("keepdims", keepDimensions ? 1L : 0L));

    /// <summary>The maximum over <paramref name="axes"/>.</summary>
    public OnnxValue ReduceMax(OnnxValue x, long[] axes, bool keepDimensions = false) =>
        Node1("ReduceMax", [x], OnnxAttribute.Of("axes", axes), OnnxAttribute.Of("keepdims", keepDimensions ? 1L : 0L));

    // ---- indexing and shapes ----

    /// <summary>Rows of <paramref name="data"/> along <paramref name="axis"/> at <paramref name="indices"/>: (r, …) at (B, T) → (B, T, …).</summary>
    public OnnxValue Gather(OnnxValue data, OnnxValue indices, long axis = 0) => Node1("Gather", [data, indices], OnnxAttribute.Of("axis", axis));

    /// <summary>Joins tensors along <paramref name="axis"/>.</summary>
    public OnnxValue Concat(long axis, params OnnxValue[] parts) => Node1("Concat", parts, OnnxAttribute.Of("axis", axis));

    /// <summary>x[starts:ends] along <paramref name="axes"/> (negative ends count from the end; <see cref="long.MaxValue"/> is "to the end").</summary>
    public OnnxValue Slice(OnnxValue x, long[] starts, long[] ends, long[] axes, long[]? steps = null) =>
        Node("Slice", steps is null ? [x, Int64s(starts), Int64s(ends), Int64s(axes)] : [x, Int64s(starts), Int64s(ends), Int64s(axes), Int64s(steps)]);

    /// <summary>Reshapes to a constant shape: 0 copies the input's dimension, −1 is inferred.</summary>
    public OnnxValue Reshape(OnnxValue x, params long[] shape) => Node("Reshape", x, Int64s(shape));

    /// <summary>Reshapes to a shape computed in the graph (a 1-D int64 tensor).</summary>
    public OnnxValue Reshape(OnnxValue x, OnnxValue shape) => Node("Reshape", x, shape);

    /// <summary>Permutes the axes.</summary>
    public OnnxValue Transpose(OnnxValue x, params long[] permutation) => Node1("Transpose", [x], OnnxAttribute.Of("perm", permutation));

    /// <summary>Inserts axes of size 1.</summary>
    public OnnxValue Unsqueeze(OnnxValue x, params long[] axes) => Node("Unsqueeze", x, Int64s(axes));

    /// <summary>Removes axes of size 1.</summary>
    public OnnxValue Squeeze(OnnxValue x, params long[] axes) => Node("Squeeze", x, Int64s(axes));

    /// <summary>Broadcasts to a shape computed in the graph.</summary>
    public OnnxValue Expand(OnnxValue x, OnnxValue shape) => Node("Expand", x, shape);

    /// <summary>The shape of x as a 1-D int64 tensor (dimensions <paramref name="start"/> to <paramref name="end"/>, exclusive, when given).</summary>
    public OnnxValue Shape(OnnxValue x, long? start = null, long? end = null)
    {
        var attributes = new List<OnnxAttribute>();
        if (start is long s)
            attributes.Add(OnnxAttribute.Of("start", s));
        if (end is long e)
            attributes.Add(OnnxAttribute.Of("end", e));
        return Node1("Shape", [x], [.. attributes]);
    }

    /// <summary>start, start + delta, … below limit (scalars of one type).</summary>
    public OnnxValue Range(OnnxValue start, OnnxValue limit, OnnxValue delta) => Node("Range", start, limit, delta);

    /// <summary>Pads the edges with a constant: <paramref name="pads"/> is the begins of every axis, then the ends.</summary>
    public OnnxValue Pad(OnnxValue x, long[] pads, OnnxValue value) => Node("Pad", x, Int64s(pads), value);

    /// <summary>
    /// The lower (or upper) triangle of the last two axes, the rest zero; <paramref name="k"/> moves the diagonal. With a
    /// matrix of ones this is the causal mask.
    /// </summary>
    public OnnxValue Trilu(OnnxValue x, bool upper, long k = 0) => Node1("Trilu", [x, Scalar(k)], OnnxAttribute.Of("upper", upper ? 1L : 0L));

    // ---- ai.onnx.ml ----

    /// <summary>
    /// Looks each int64 key up in a fixed table (<c>ai.onnx.ml</c> LabelEncoder): any shape in, the same shape of float32
    /// out; a key not in the table gives <paramref name="missing"/> (NaN makes "absent" testable with <see cref="IsNaN"/>).
    /// </summary>
    public OnnxValue LabelEncoder(OnnxValue keys, long[] tableKeys, float[] tableValues, float missing)
    {
        if (tableKeys.Length != tableValues.Length)
            throw new ArgumentException("Give one value per key.", nameof(tableValues));
        return Node(MlDomain, "LabelEncoder", [keys], 1,
            OnnxAttribute.Of("keys_int64s", tableKeys), OnnxAttribute.Of("values_floats", tableValues), OnnxAttribute.Of("default_float", missing))[0];
    }

    // ---- names ----

    private OnnxValue Add(OnnxTensor tensor)
    {
        _initializers.Add(tensor);
        return new OnnxValue(tensor.Name);
    }

    private string Fresh(string stem)
    {
        string baseName = _scope + stem;
        int n = _counters.GetValueOrDefault(baseName);
        string name;
        do
            name = baseName + "_" + (n++).ToString(CultureInfo.InvariantCulture);
        while (_names.Contains(name));
        _counters[baseName] = n;
        Claim(name);
        return name;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"The graph already has a value named '{name}'.");
    }

    private sealed class ScopeExit(Action exit) : IDisposable
    {
        private Action? _exit = exit;

        public void Dispose()
        {
            _exit?.Invoke();
            _exit = null;
        }
    }
}

namespace Makemore.ML.Onnx;

/// <summary>A tensor's element type, numbered as ONNX's <c>TensorProto.DataType</c>.</summary>
internal enum OnnxDataType
{
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>int32.</summary>
    Int32 = 6,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>bool.</summary>
    Bool = 9,
    /// <summary>float64.</summary>
    Double = 11,
}

/// <summary>A value of the graph being built: the name of a graph input, an initializer or a node's output.</summary>
/// <param name="Name">Its name in the graph (unique).</param>
internal readonly record struct OnnxValue(string Name)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// One dimension of a graph input's or output's shape: a fixed size, or a named symbolic one (<c>batch</c>, <c>time</c>)
/// that the caller chooses at run time.
/// </summary>
internal readonly record struct OnnxDimension(long Size, string? Symbol)
{
    /// <summary>A fixed size.</summary>
    public static implicit operator OnnxDimension(long size) => new(size, null);

    /// <summary>A symbolic size.</summary>
    public static implicit operator OnnxDimension(string symbol) => new(0, symbol);
}

/// <summary>A node attribute (ONNX's <c>AttributeProto</c>): a name and one value of one of the kinds below.</summary>
internal sealed class OnnxAttribute
{
    private OnnxAttribute(string name, int type) => (Name, Type) = (name, type);

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    /// <summary>ONNX's <c>AttributeProto.AttributeType</c>: 1 float, 2 int, 3 string, 4 tensor, 6 floats, 7 ints.</summary>
    public int Type { get; }

    /// <summary>The value of a float attribute.</summary>
    public float Float { get; private init; }

    /// <summary>The value of an int attribute.</summary>
    public long Int { get; private init; }

    /// <summary>The value of a string attribute.</summary>
    public string? String { get; private init; }

    /// <summary>The value of a tensor attribute.</summary>
    public OnnxTensor? Tensor { get; private init; }

    /// <summary>The values of a floats attribute.</summary>
    public float[]? Floats { get; private init; }

    /// <summary>The values of an ints attribute.</summary>
    public long[]? Ints { get; private init; }

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Of(string name, float value) => new(name, 1) { Float = value };

    /// <summary>An int attribute.</summary>
    public static OnnxAttribute Of(string name, long value) => new(name, 2) { Int = value };

    /// <summary>A string attribute.</summary>
    public static OnnxAttribute Of(string name, string value) => new(name, 3) { String = value };

    /// <summary>A tensor attribute (e.g. <c>Constant</c>'s value).</summary>
    public static OnnxAttribute Of(string name, OnnxTensor value) => new(name, 4) { Tensor = value };

    /// <summary>A floats attribute.</summary>
    public static OnnxAttribute Of(string name, float[] values) => new(name, 6) { Floats = values };

    /// <summary>An ints attribute.</summary>
    public static OnnxAttribute Of(string name, long[] values) => new(name, 7) { Ints = values };
}

/// <summary>A constant tensor (ONNX's <c>TensorProto</c>): element type, shape and little-endian raw data.</summary>
internal sealed class OnnxTensor
{
    private OnnxTensor(string name, OnnxDataType type, long[] dimensions, byte[] data)
    {
        long elements = dimensions.Aggregate(1L, (a, d) => a * d);
        int width = type switch { OnnxDataType.Float or OnnxDataType.Int32 => 4, OnnxDataType.Bool => 1, _ => 8 };
        if (elements * width != data.LongLength)
            throw new ArgumentException($"A tensor of shape [{string.Join(", ", dimensions)}] has {elements} elements, got {data.LongLength / width}.", nameof(dimensions));
        Name = name;
        Type = type;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>Its name (an initializer's name is its value's name).</summary>
    public string Name { get; }

    /// <summary>Its element type.</summary>
    public OnnxDataType Type { get; }

    /// <summary>Its shape; empty for a scalar.</summary>
    public long[] Dimensions { get; }

    /// <summary>Its elements, little-endian, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>A float32 tensor.</summary>
    public static OnnxTensor Floats(string name, ReadOnlySpan<float> values, params long[] dimensions) =>
        new(name, OnnxDataType.Float, dimensions, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A float64 tensor.</summary>
    public static OnnxTensor Doubles(string name, ReadOnlySpan<double> values, params long[] dimensions) =>
        new(name, OnnxDataType.Double, dimensions, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int64 tensor.</summary>
    public static OnnxTensor Int64s(string name, ReadOnlySpan<long> values, params long[] dimensions) =>
        new(name, OnnxDataType.Int64, dimensions, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    static OnnxTensor()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The ONNX exporter writes raw tensor data on little-endian machines only.");
    }
}

/// <summary>One node of the graph (ONNX's <c>NodeProto</c>).</summary>
internal sealed record OnnxNode(string Name, string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttribute> Attributes);

namespace Makemore.ML.Onnx;

/// <summary>
/// Writes an <see cref="OnnxGraph"/> as an ONNX <c>ModelProto</c>: the fields of onnx.proto that a graph of dense tensors
/// needs (field numbers as in onnx.proto, ONNX 1.12), written with <see cref="ProtoWriter"/>.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>The IR version of opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>Writes the model.</summary>
    /// <param name="graph">The graph, with its inputs and outputs declared.</param>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="metadata">The model's <c>metadata_props</c>, in order.</param>
    /// <param name="stream">Where to write.</param>
    /// <exception cref="NotSupportedException">The weights reach protobuf's 2 GB limit on one message.</exception>
    public static void Write(OnnxGraph graph, string graphName, IEnumerable<KeyValuePair<string, string>> metadata, Stream stream)
    {
        long weights = graph.Initializers.Sum(t => t.Data.LongLength);
        if (weights >= int.MaxValue)
            throw new NotSupportedException($"The model's weights take {weights:N0} bytes; an ONNX file holds at most 2 GB (protobuf's limit), and external data files are not written.");
        var model = new ProtoWriter();
        model.Int64(1, IrVersion); // ir_version
        model.String(2, "Makemore.ML"); // producer_name
        model.String(3, typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? ""); // producer_version
        model.Message(7, Graph(graph, graphName)); // graph
        model.Message(8, OpsetImport("", OnnxGraph.Opset)); // opset_import
        if (graph.UsesMlDomain)
            model.Message(8, OpsetImport(OnnxGraph.MlDomain, OnnxGraph.MlOpset));
        foreach (var (key, value) in metadata)
        {
            var entry = new ProtoWriter(); // StringStringEntryProto
            entry.String(1, key);
            entry.String(2, value);
            model.Message(14, entry); // metadata_props
        }
        model.CopyTo(stream);
    }

    private static ProtoWriter OpsetImport(string domain, long version)
    {
        var opset = new ProtoWriter(); // OperatorSetIdProto
        opset.String(1, domain);
        opset.Int64(2, version);
        return opset;
    }

    private static ProtoWriter Graph(OnnxGraph graph, string name)
    {
        var g = new ProtoWriter(); // GraphProto
        foreach (var node in graph.Nodes)
            g.Message(1, Node(node));
        g.String(2, name);
        foreach (var tensor in graph.Initializers)
            g.Message(5, Tensor(tensor));
        foreach (var (inputName, type, shape) in graph.Inputs)
            g.Message(11, ValueInfo(inputName, type, shape));
        foreach (var (outputName, type, shape) in graph.Outputs)
            g.Message(12, ValueInfo(outputName, type, shape));
        return g;
    }

    private static ProtoWriter Node(OnnxNode node)
    {
        var n = new ProtoWriter(); // NodeProto
        foreach (string input in node.Inputs)
            n.String(1, input);
        foreach (string output in node.Outputs)
            n.String(2, output);
        n.String(3, node.Name);
        n.String(4, node.OpType);
        foreach (var attribute in node.Attributes)
            n.Message(5, Attribute(attribute));
        if (node.Domain.Length > 0)
            n.String(7, node.Domain);
        return n;
    }

    private static ProtoWriter Attribute(OnnxAttribute attribute)
    {
        var a = new ProtoWriter(); // AttributeProto
        a.String(1, attribute.Name);
        switch (attribute.Type)
        {
            case 1: a.Float(2, attribute.Float); break;
            case 2: a.Int64(3, attribute.Int); break;
            case 3: a.String(4, attribute.String!); break;
            case 4: a.Message(5, Tensor(attribute.Tensor!)); break;
            case 6: a.PackedFloats(7, attribute.Floats); break;
            case 7: a.PackedInt64s(8, attribute.Ints); break;
            default: throw new InvalidOperationException($"Attribute type {attribute.Type} is not written.");
        }
        a.Int64(20, attribute.Type); // type
        return a;
    }

    private static ProtoWriter Tensor(OnnxTensor tensor)
    {
        var t = new ProtoWriter(); // TensorProto
        t.PackedInt64s(1, tensor.Dimensions); // dims
        t.Int64(2, (long)tensor.Type); // data_type
        t.String(8, tensor.Name); // name
        t.Bytes(9, tensor.Data); // raw_data
        return t;
    }

    private static ProtoWriter ValueInfo(string name, OnnxDataType type, OnnxDimension[] shape)
    {
        var dims = new ProtoWriter(); // TensorShapeProto
        foreach (var dimension in shape)
        {
            var d = new ProtoWriter(); // TensorShapeProto.Dimension
            if (dimension.Symbol is { } symbol)
                d.String(2, symbol); // dim_param
            else
                d.Int64(1, dimension.Size); // dim_value
            dims.Message(1, d);
        }
        var tensorType = new ProtoWriter(); // TypeProto.Tensor
        tensorType.Int64(1, (long)type); // elem_type
        tensorType.Message(2, dims); // shape
        var typeProto = new ProtoWriter(); // TypeProto
        typeProto.Message(1, tensorType); // tensor_type
        var info = new ProtoWriter(); // ValueInfoProto
        info.String(1, name);
        info.Message(2, typeProto);
        return info;
    }
}

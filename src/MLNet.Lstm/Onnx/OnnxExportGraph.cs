using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>One attribute of an exported node, as plain values: ML.NET's ONNX context takes no protobuf.</summary>
internal sealed record OnnxExportAttribute(string Name, long? Int = null, float? Float = null, string? Text = null,
    long[]? Ints = null, float[]? Floats = null, string[]? Texts = null);

/// <summary>One node of the featurizer's graph, for ML.NET's ONNX context (standard domain).</summary>
internal sealed record OnnxExportNode(string OpType, string Name, string[] Inputs, string[] Outputs, IReadOnlyList<OnnxExportAttribute> Attributes);

/// <summary>One initializer: float or int64 values and their dimensions.</summary>
internal sealed record OnnxExportInitializer(string Name, float[]? Floats, long[]? Longs, long[] Dims);

/// <summary>
/// The featurizer's representation graph (preprocessing, LSTM nodes, representation) flattened
/// into plain nodes and initializers that ML.NET's ONNX export context can take: <see cref="InputName"/>
/// is the [N, T, F] sequence and <see cref="OutputName"/> the [N, size] representation.
/// </summary>
/// <remarks>
/// ML.NET's converter writes opset 11 or 12. Graphs of a later opset are brought down where
/// the meaning is the same (Reduce*/Squeeze/Unsqueeze axes from a constant input to the
/// attribute, Constant nodes to initializers); any other operator whose interface changed
/// after opset 11 is refused by name, so an export is whole or does not happen.
/// </remarks>
internal sealed record OnnxExportGraph(string InputName, string OutputName, int OutputSize,
    IReadOnlyList<OnnxExportNode> Nodes, IReadOnlyList<OnnxExportInitializer> Initializers)
{
    /// <summary>The opset the exported nodes need at least: Slice's inputs and AveragePool's ceil_mode (10), Gather's negative indices (11).</summary>
    public const int MinimumOpset = 11;

    // Operators whose inputs, outputs and attributes mean the same from opset 11 to the latest,
    // as far as these graphs use them (an attribute added later must be absent or its default).
    private static readonly HashSet<string> SameSinceOpset11 =
    [
        "LSTM", "Transpose", "Reshape", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Concat", "Flatten", "Gather",
        "Shape", "Cast", "Identity", "Tanh", "Sigmoid", "Relu", "ConstantOfShape", "Slice", "AveragePool",
        "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "Squeeze", "Unsqueeze", "Conv", "GlobalAveragePool", "Greater", "Where",
    ];

    // Attributes a later opset added whose non-default value has no opset-11 equivalent.
    private static readonly (string Op, string Attribute, long Default)[] LaterAttributes =
    [
        ("LSTM", "layout", 0), ("Reshape", "allowzero", 0), ("Shape", "start", 0), ("ReduceMean", "noop_with_empty_axes", 0),
        ("ReduceMax", "noop_with_empty_axes", 0), ("ReduceMin", "noop_with_empty_axes", 0), ("ReduceSum", "noop_with_empty_axes", 0),
    ];

    public static OnnxExportGraph From(ModelProto representation, string inputName, string outputName, int outputSize, string source)
    {
        var graph = representation.Graph;
        long opset = representation.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        var initializers = new List<OnnxExportInitializer>();
        var constants = new Dictionary<string, TensorProto>();
        foreach (var tensor in graph.Initializer)
        {
            initializers.Add(Initializer(tensor.Name, tensor, source));
            constants[tensor.Name] = tensor;
        }
        var nodes = new List<OnnxExportNode>();
        foreach (var node in graph.Node)
        {
            if (node.Domain.Length > 0 && node.Domain != "ai.onnx")
            {
                throw LstmThrow.OnnxExportOperator(source, node.Name, $"{node.Domain}.{node.OpType}", "an operator outside the standard domain");
            }
            if (node.OpType == "Constant")
            {
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null)
                    ?? throw LstmThrow.OnnxExportOperator(source, node.Name, node.OpType, "a Constant that is not a tensor");
                initializers.Add(Initializer(node.Output[0], value.T, source));
                constants[node.Output[0]] = value.T;
                continue;
            }
            if (opset > 11 && !SameSinceOpset11.Contains(node.OpType))
            {
                throw LstmThrow.OnnxExportOperator(source, node.Name, node.OpType, $"an operator of opset {opset} that ML.NET's converter (opset 11–12) cannot be sure to express");
            }
            foreach (var (op, attribute, fallback) in LaterAttributes)
            {
                if (node.OpType == op && OnnxTensors.GetInt(node, attribute) is long set && set != fallback)
                {
                    throw LstmThrow.OnnxExportOperator(source, node.Name, node.OpType, $"attribute {attribute} = {set}, which opset 11–12 does not have");
                }
            }
            nodes.Add(Node(node, opset, constants, source));
        }
        // Nodes the representation does not need (a head, say) ONNX Runtime's own session prunes;
        // an exported model would carry them, and their weights, into every other runtime. The
        // nodes are in topological order, so one walk back from the output finds those needed.
        var needed = new HashSet<string> { outputName };
        for (int n = nodes.Count - 1; n >= 0; n--)
        {
            if (nodes[n].Outputs.Any(needed.Contains))
            {
                needed.UnionWith(nodes[n].Inputs);
            }
            else
            {
                nodes.RemoveAt(n);
            }
        }
        // Axes that moved into attributes leave their constants unread; ONNX Runtime warns about unread initializers.
        var read = nodes.SelectMany(n => n.Inputs).ToHashSet();
        initializers.RemoveAll(i => !read.Contains(i.Name));
        return new OnnxExportGraph(inputName, outputName, outputSize, nodes, initializers);
    }

    private static OnnxExportNode Node(NodeProto node, long opset, Dictionary<string, TensorProto> constants, string source)
    {
        var inputs = node.Input.ToList();
        var attributes = new List<OnnxExportAttribute>();
        bool axesMovedToInput = (node.OpType is "Squeeze" or "Unsqueeze" or "ReduceSum" && opset >= 13)
            || (node.OpType is "ReduceMean" or "ReduceMax" or "ReduceMin" && opset >= 18);
        if (axesMovedToInput && inputs.Count > 1 && inputs[1].Length > 0)
        {
            if (!constants.TryGetValue(inputs[1], out var axesTensor) || OnnxTensors.ReadInt64s(axesTensor) is not { } axes)
            {
                throw LstmThrow.OnnxExportOperator(source, node.Name, node.OpType, "axes computed in the graph, which opset 11–12 needs as constants");
            }
            attributes.Add(new OnnxExportAttribute("axes", Ints: axes));
            inputs.RemoveAt(1);
        }
        foreach (var a in node.Attribute)
        {
            // ConstantOfShape's value: float zero is the operator's default, so it can go unsaid.
            if (a.Type == AttributeProto.Types.AttributeType.Tensor && node.OpType == "ConstantOfShape" && IsFloatZero(a.T, source))
            {
                continue;
            }
            attributes.Add(a.Type switch
            {
                AttributeProto.Types.AttributeType.Int => new OnnxExportAttribute(a.Name, Int: a.I),
                AttributeProto.Types.AttributeType.Float => new OnnxExportAttribute(a.Name, Float: a.F),
                AttributeProto.Types.AttributeType.String => new OnnxExportAttribute(a.Name, Text: a.S.ToStringUtf8()),
                AttributeProto.Types.AttributeType.Ints => new OnnxExportAttribute(a.Name, Ints: [.. a.Ints]),
                AttributeProto.Types.AttributeType.Floats => new OnnxExportAttribute(a.Name, Floats: [.. a.Floats]),
                AttributeProto.Types.AttributeType.Strings => new OnnxExportAttribute(a.Name, Texts: [.. a.Strings.Select(s => s.ToStringUtf8())]),
                _ => throw LstmThrow.OnnxExportOperator(source, node.Name, node.OpType, $"attribute {a.Name} of type {a.Type}, which ML.NET's ONNX context cannot write"),
            });
        }
        return new OnnxExportNode(node.OpType, node.Name, [.. inputs], [.. node.Output], attributes);
    }

    private static OnnxExportInitializer Initializer(string name, TensorProto tensor, string source) => tensor.DataType switch
    {
        (int)TensorProto.Types.DataType.Float => new OnnxExportInitializer(name, OnnxTensors.ReadFloats(tensor, source), null, [.. tensor.Dims]),
        (int)TensorProto.Types.DataType.Int64 => new OnnxExportInitializer(name, null,
            OnnxTensors.ReadInt64s(tensor) ?? throw LstmThrow.OnnxExportOperator(source, name, "initializer", $"{tensor.RawData.Length} bytes of int64 raw data, not a whole number of int64 values held in the file"), [.. tensor.Dims]),
        _ => throw LstmThrow.OnnxExportOperator(source, name, "initializer", $"data type {tensor.DataType}; only float and int64 tensors are exported"),
    };

    private static bool IsFloatZero(TensorProto tensor, string source) =>
        tensor.DataType == (int)TensorProto.Types.DataType.Float && OnnxTensors.ReadFloats(tensor, source) is [0f];
}

using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Checks every LSTM node's inputs and constant tensors against the ONNX operator's shapes
/// when a model is read, so that a malformed file is refused then, naming the file, the node
/// and the tensor, rather than failing later in an index or a copy.
/// </summary>
internal static class OnnxLstmNodeCheck
{
    // The ONNX LSTM operator's inputs, in order.
    private static readonly string[] Roles = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"];

    /// <summary>Checks the nodes (layer 0 first) and returns F, the input size layer 0's W holds.</summary>
    public static int Check(GraphProto graph, IReadOnlyList<NodeProto> nodes, int hidden, int directions, string source)
    {
        var defined = new HashSet<string>(graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(i => i.Name)).Concat(graph.Node.SelectMany(n => n.Output)));
        long gates = 4L * hidden;
        long inputSize = 0;
        for (int layer = 0; layer < nodes.Count; layer++)
        {
            var node = nodes[layer];
            if (node.Input.Count < 3 || node.Input.Take(3).Any(name => name.Length == 0))
            {
                throw LstmThrow.LstmNodeInputs(source, node.Name, node.Input);
            }
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i].Length > 0 && !defined.Contains(node.Input[i]))
                {
                    throw LstmThrow.LstmNodeInputUndefined(source, node.Name, i < Roles.Length ? Roles[i] : $"#{i}", node.Input[i]);
                }
            }
            if (node.Input.Count > 4 && node.Input[4].Length > 0)
            {
                throw LstmThrow.SequenceLensNotSupported(source, node.Name, node.Input[4]);
            }
            var w = OnnxTensors.Find(graph, node.Input[1]);
            if (layer == 0)
            {
                if (w is null)
                {
                    throw LstmThrow.ModelInvalid(source, $"the weights W of LSTM node '{node.Name}' are not constant");
                }
                inputSize = w.Dims.Count == 3 ? w.Dims[2] : 0;
                if (inputSize is < 1 or > int.MaxValue)
                {
                    throw LstmThrow.LstmTensorShape(source, node.Name, "W", w.Name, [directions, gates, "F"], w.Dims);
                }
            }
            long layerInput = layer == 0 ? inputSize : (long)directions * hidden;
            CheckFloats(w, source, node.Name, "W", directions, gates, layerInput);
            CheckFloats(OnnxTensors.Find(graph, node.Input[2]), source, node.Name, "R", directions, gates, hidden);
            if (node.Input.Count > 3 && node.Input[3].Length > 0)
            {
                CheckFloats(OnnxTensors.Find(graph, node.Input[3]), source, node.Name, "B", directions, 2 * gates);
            }
            if (node.Input.Count > 7 && node.Input[7].Length > 0)
            {
                CheckFloats(OnnxTensors.Find(graph, node.Input[7]), source, node.Name, "P", directions, 3L * hidden);
            }
        }
        return (int)inputSize;
    }

    /// <summary>A constant's type, shape and value count; a tensor the graph computes is ONNX Runtime's to check.</summary>
    private static void CheckFloats(TensorProto? tensor, string source, string node, string role, params long[] dims)
    {
        if (tensor is null)
        {
            return;
        }
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw LstmThrow.LstmTensorType(source, node, role, tensor.Name, tensor.DataType);
        }
        if (!tensor.Dims.SequenceEqual(dims))
        {
            throw LstmThrow.LstmTensorShape(source, node, role, tensor.Name, [.. dims.Cast<object>()], tensor.Dims);
        }
        long expected = dims.Aggregate(1L, (product, d) => checked(product * d));
        long found = OnnxTensors.FloatCount(tensor);
        if (found != expected)
        {
            throw LstmThrow.LstmTensorValues(source, node, role, tensor.Name, expected, found, tensor.RawData.Length);
        }
    }

    /// <summary>Stacked layers: each LSTM node's X is computed (through any nodes) from the one before it.</summary>
    public static void CheckChain(GraphProto graph, IReadOnlyList<NodeProto> nodes, string source)
    {
        var producers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                producers.TryAdd(output, node);
            }
        }
        for (int layer = 1; layer < nodes.Count; layer++)
        {
            if (!ComputedFrom(nodes[layer].Input[0], nodes[layer - 1], producers))
            {
                throw LstmThrow.LstmNodesNotOneChain(source, nodes[layer - 1].Name, nodes[layer].Name);
            }
        }
    }

    private static bool ComputedFrom(string name, NodeProto ancestor, Dictionary<string, NodeProto> producers)
    {
        var pending = new Stack<string>([name]);
        var seen = new HashSet<string>();
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next) || !producers.TryGetValue(next, out var producer))
            {
                continue;
            }
            if (producer == ancestor)
            {
                return true;
            }
            foreach (var input in producer.Input)
            {
                pending.Push(input);
            }
        }
        return false;
    }

    /// <summary>
    /// Refuses what ONNX Runtime honours but <see cref="LstmWeights"/> (PyTorch's <c>nn.LSTM</c>)
    /// cannot carry, so that GetWeights and fine-tuning never change what the model computes.
    /// </summary>
    public static void CheckCarriedByWeights(GraphProto graph, IReadOnlyList<NodeProto> nodes, string source)
    {
        foreach (var node in nodes)
        {
            foreach (var attribute in node.Attribute)
            {
                string? found = attribute.Name switch
                {
                    "clip" => attribute.F.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "input_forget" when attribute.I != 0 => attribute.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "activations" when !IsDefaultActivations(attribute) => string.Join(", ", attribute.Strings.Select(a => a.ToStringUtf8())),
                    "activation_alpha" or "activation_beta" => string.Join(", ", attribute.Floats),
                    _ => null,
                };
                if (found is not null)
                {
                    throw LstmThrow.NotCarriedByWeights(source, "LSTM", node.Name, $"attribute {attribute.Name} = {found}");
                }
            }
            if (node.Input.Count > 7 && node.Input[7].Length > 0)
            {
                throw LstmThrow.NotCarriedByWeights(source, "LSTM", node.Name, $"peephole input P '{node.Input[7]}'");
            }
            for (int i = 5; i <= 6 && i < node.Input.Count; i++)
            {
                if (node.Input[i].Length > 0 && OnnxTensors.Find(graph, node.Input[i]) is { } state && OnnxTensors.ReadFloats(state, source).Any(v => v != 0))
                {
                    throw LstmThrow.NotCarriedByWeights(source, "LSTM", node.Name, $"non-zero constant input {Roles[i]} '{node.Input[i]}'");
                }
            }
        }
    }

    /// <summary>Refuses a Gemm that does more than y = x·Wᵀ + b (or x·W + b), the nn.Linear a head is.</summary>
    public static void CheckGemmCarriedByWeights(NodeProto gemm, string source)
    {
        foreach (var attribute in gemm.Attribute)
        {
            bool carried = attribute.Name switch
            {
                "alpha" or "beta" => attribute.F == 1f,
                "transA" => attribute.I == 0,
                _ => true,
            };
            if (!carried)
            {
                string value = attribute.Name == "transA" ? attribute.I.ToString(System.Globalization.CultureInfo.InvariantCulture) : attribute.F.ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw LstmThrow.NotCarriedByWeights(source, "Gemm", gemm.Name, $"attribute {attribute.Name} = {value}");
            }
        }
    }

    private static bool IsDefaultActivations(AttributeProto activations)
    {
        string[] defaults = ["Sigmoid", "Tanh", "Tanh"];
        return activations.Strings.Count % 3 == 0
            && activations.Strings.Select((s, i) => string.Equals(s.ToStringUtf8(), defaults[i % 3], StringComparison.OrdinalIgnoreCase)).All(same => same);
    }
}

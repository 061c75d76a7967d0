using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Graph inputs that only carry an LSTM's initial hidden or cell state (PyTorch exports
/// <c>lstm(x, (h0, c0))</c> that way). The featurizer starts every sequence from zero states,
/// as <c>nn.LSTM</c> does without them, so the rewritten graph computes those inputs as zeros
/// of their declared shape [layers·directions, batch, hidden] instead of asking for them.
/// </summary>
internal static class OnnxInitialStates
{
    // initial_h and initial_c among the ONNX LSTM operator's inputs.
    private const int InitialH = 5, InitialC = 6;

    /// <summary>Whether everything computed from <paramref name="input"/> ends in an LSTM's initial_h or initial_c.</summary>
    public static bool FeedsOnlyInitialStates(GraphProto graph, string input)
    {
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        var pending = new Stack<string>([input]);
        var seen = new HashSet<string>();
        bool reachesLstm = false;
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }
            if (outputs.Contains(name))
            {
                return false;
            }
            foreach (var node in graph.Node.Where(n => n.Input.Contains(name)))
            {
                if (node.OpType == "LSTM")
                {
                    for (int i = 0; i < node.Input.Count; i++)
                    {
                        if (node.Input[i] == name && i is not (InitialH or InitialC))
                        {
                            return false;
                        }
                    }
                    reachesLstm = true;
                }
                else
                {
                    foreach (var output in node.Output)
                    {
                        pending.Push(output);
                    }
                }
            }
        }
        return reachesLstm;
    }

    /// <summary>Checks a state input's declared shape: fixed layers·directions and hidden, any batch.</summary>
    public static void CheckShape(ValueInfoProto state, string source)
    {
        var dims = state.Type?.TensorType?.Shape?.Dim;
        if (state.Type?.TensorType?.ElemType != (int)TensorProto.Types.DataType.Float || dims is not { Count: 3 }
            || dims[0].DimValue < 1 || dims[2].DimValue < 1)
        {
            throw LstmThrow.InitialStateShape(source, OnnxLstmGraphReader.Describe(state));
        }
    }

    /// <summary>Replaces each state input by ConstantOfShape([dims[0], batch of <paramref name="sequenceInput"/>, dims[2]]) of 0.</summary>
    public static void ReplaceWithZeros(GraphProto graph, IReadOnlyList<string> states, string sequenceInput, long opset)
    {
        if (states.Count == 0)
        {
            return;
        }
        const string batch = "mlnet_state_batch";
        var nodes = new List<NodeProto> { OnnxTensors.Node("Shape", "mlnet_sequence_shape", [sequenceInput], ["mlnet_sequence_shape"]) };
        if (opset >= 10)
        {
            graph.Initializer.Add(OnnxTensors.Int64("mlnet_state_zero", [0], 1));
            graph.Initializer.Add(OnnxTensors.Int64("mlnet_state_one", [1], 1));
            nodes.Add(OnnxTensors.Node("Slice", batch, ["mlnet_sequence_shape", "mlnet_state_zero", "mlnet_state_one"], [batch]));
        }
        else
        {
            nodes.Add(OnnxTensors.Node("Slice", batch, ["mlnet_sequence_shape"], [batch],
                OnnxTensors.Ints("starts", 0), OnnxTensors.Ints("ends", 1), OnnxTensors.Ints("axes", 0)));
        }
        var zero = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensors.Float("zero", [0f], 1) };
        foreach (var name in states)
        {
            var input = graph.Input.First(i => i.Name == name);
            var dims = input.Type.TensorType.Shape.Dim;
            graph.Input.Remove(input);
            graph.Initializer.Add(OnnxTensors.Int64($"mlnet_{name}_layers", [dims[0].DimValue], 1));
            graph.Initializer.Add(OnnxTensors.Int64($"mlnet_{name}_hidden", [dims[2].DimValue], 1));
            nodes.Add(OnnxTensors.Node("Concat", $"mlnet_{name}_shape", [$"mlnet_{name}_layers", batch, $"mlnet_{name}_hidden"], [$"mlnet_{name}_shape"], OnnxTensors.Int("axis", 0)));
            nodes.Add(OnnxTensors.Node("ConstantOfShape", $"mlnet_{name}_zeros", [$"mlnet_{name}_shape"], [name], zero));
        }
        // First in the graph, so ONNX's topological order holds for the nodes that read the states.
        for (int i = 0; i < nodes.Count; i++)
        {
            graph.Node.Insert(i, nodes[i]);
        }
    }
}

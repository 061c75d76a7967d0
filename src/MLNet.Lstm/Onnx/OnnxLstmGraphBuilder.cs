using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Builds the ONNX graph of <c>nn.LSTM(batch_first=True)</c> (+ <c>nn.Linear</c> on the last
/// step) from PyTorch-layout weights, node for node as <c>torch.onnx.export</c> writes it:
/// ONNX Runtime's CPU LSTM rejects batch-major layout, so the batch-major input is transposed
/// to time-major and every layer is one LSTM node with layout 0.
/// </summary>
internal static class OnnxLstmGraphBuilder
{
    public const string InputName = "input";
    public const string OutputName = "output";
    private const int Opset = 14;

    public static ModelProto Build(LstmWeights weights)
    {
        int hidden = weights.HiddenSize;
        int directions = weights.NumDirections;
        var graph = new GraphProto { Name = "lstm" };
        graph.Input.Add(OnnxTensors.FloatValue(InputName, "batch", "sequence", weights.InputSize));

        graph.Node.Add(OnnxTensors.Node("Transpose", "to_time_major", [InputName], ["x_time_major"], OnnxTensors.Ints("perm", 1, 0, 2)));
        string layerInput = "x_time_major";
        graph.Initializer.Add(OnnxTensors.Int64("merge_directions_shape", [0, 0, -1], 3));
        for (int layer = 0; layer < weights.NumLayers; layer++)
        {
            AddLayerInitializers(graph, weights, layer);
            string y = $"lstm{layer}_Y";
            graph.Node.Add(OnnxTensors.Node("LSTM", $"lstm{layer}",
                [layerInput, $"lstm{layer}_W", $"lstm{layer}_R", $"lstm{layer}_B"],
                [y, $"lstm{layer}_Y_h", $"lstm{layer}_Y_c"],
                OnnxTensors.Int("hidden_size", hidden),
                OnnxTensors.String("direction", directions == 2 ? "bidirectional" : "forward")));
            // Y is [T, D, N, H]; the next layer (and the head) reads [T, N, D·H].
            graph.Node.Add(OnnxTensors.Node("Transpose", $"lstm{layer}_steps_first", [y], [$"lstm{layer}_Y_tndh"], OnnxTensors.Ints("perm", 0, 2, 1, 3)));
            graph.Node.Add(OnnxTensors.Node("Reshape", $"lstm{layer}_merge_directions", [$"lstm{layer}_Y_tndh", "merge_directions_shape"], [$"lstm{layer}_out"]));
            layerInput = $"lstm{layer}_out";
        }

        if (weights.OutputSize > 0)
        {
            graph.Initializer.Add(OnnxTensors.Int64("last_step_index", [-1]));
            graph.Initializer.Add(OnnxTensors.Float("fc.weight", weights.HeadWeight, weights.OutputSize, directions * hidden));
            graph.Initializer.Add(OnnxTensors.Float("fc.bias", weights.HeadBias, weights.OutputSize));
            graph.Node.Add(OnnxTensors.Node("Gather", "last_step", [layerInput, "last_step_index"], ["last_step_out"], OnnxTensors.Int("axis", 0)));
            graph.Node.Add(OnnxTensors.Node("Gemm", "fc", ["last_step_out", "fc.weight", "fc.bias"], [OutputName], OnnxTensors.Int("transB", 1)));
            graph.Output.Add(OnnxTensors.FloatValue(OutputName, "batch", weights.OutputSize));
        }
        else
        {
            graph.Node.Add(OnnxTensors.Node("Transpose", "to_batch_major", [layerInput], [OutputName], OnnxTensors.Ints("perm", 1, 0, 2)));
            graph.Output.Add(OnnxTensors.FloatValue(OutputName, "batch", "sequence", directions * hidden));
        }

        var model = new ModelProto { IrVersion = 7, ProducerName = "MLNet.Lstm", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private static void AddLayerInitializers(GraphProto graph, LstmWeights weights, int layer)
    {
        var (w, r, b) = OnnxLstmWeightLayout.ToOnnx(weights, layer);
        int hidden = weights.HiddenSize;
        int directions = weights.NumDirections;
        int layerInput = weights.GetCell(layer, 0).InputSize;
        graph.Initializer.Add(OnnxTensors.Float($"lstm{layer}_W", w, directions, 4 * hidden, layerInput));
        graph.Initializer.Add(OnnxTensors.Float($"lstm{layer}_R", r, directions, 4 * hidden, hidden));
        graph.Initializer.Add(OnnxTensors.Float($"lstm{layer}_B", b, directions, 8 * hidden));
    }
}

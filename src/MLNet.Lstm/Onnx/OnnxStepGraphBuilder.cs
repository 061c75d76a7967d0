using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Builds the graph that advances a one-directional LSTM by one step: the point [1, F] and every
/// layer's hidden and cell state [L, 1, H] in, the new states, the point as the LSTM reads it
/// (after the model's scaling) and the head's forecast out. The LSTM nodes are the model's own,
/// fed the states as initial_h/initial_c, so a stream of steps computes what one run over the
/// whole prefix computes; nothing of a window is re-run.
/// </summary>
internal static class OnnxStepGraphBuilder
{
    public const string PointName = "point";
    public const string HiddenName = "hidden";
    public const string CellName = "cell";
    public const string NextHiddenName = "next_hidden";
    public const string NextCellName = "next_cell";
    public const string ScaledPointName = "scaled_point";
    public const string ForecastName = "forecast";
    private const int Opset = 14;

    public static ModelProto Build(LstmWeights weights)
    {
        weights.Validate();
        int hidden = weights.HiddenSize, layers = weights.NumLayers, features = weights.InputSize;
        var graph = new GraphProto { Name = "lstm_step" };
        graph.Input.Add(OnnxTensors.FloatValue(PointName, 1, features));
        graph.Input.Add(OnnxTensors.FloatValue(HiddenName, layers, 1, hidden));
        graph.Input.Add(OnnxTensors.FloatValue(CellName, layers, 1, hidden));

        string x = OnnxLstmGraphBuilder.AddScaling(graph, weights, PointName);
        graph.Node.Add(OnnxTensors.Node("Identity", "scaled_point", [x], [ScaledPointName]));

        graph.Initializer.Add(OnnxTensors.Int64("step_shape", [1, 1, -1], 3));
        graph.Initializer.Add(OnnxTensors.Int64("row_shape", [1, -1], 2));
        graph.Node.Add(OnnxTensors.Node("Reshape", "point_as_step", [ScaledPointName, "step_shape"], ["lstm0_X"]));
        var nextHidden = new string[layers];
        var nextCell = new string[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            OnnxLstmGraphBuilder.AddLayerInitializers(graph, weights, layer);
            graph.Initializer.Add(OnnxTensors.Int64($"layer{layer}_index", [layer], 1));
            graph.Node.Add(OnnxTensors.Node("Gather", $"lstm{layer}_h0", [HiddenName, $"layer{layer}_index"], [$"lstm{layer}_h0"], OnnxTensors.Int("axis", 0)));
            graph.Node.Add(OnnxTensors.Node("Gather", $"lstm{layer}_c0", [CellName, $"layer{layer}_index"], [$"lstm{layer}_c0"], OnnxTensors.Int("axis", 0)));
            graph.Node.Add(OnnxTensors.Node("LSTM", $"lstm{layer}",
                [$"lstm{layer}_X", $"lstm{layer}_W", $"lstm{layer}_R", $"lstm{layer}_B", "", $"lstm{layer}_h0", $"lstm{layer}_c0"],
                [$"lstm{layer}_Y", $"lstm{layer}_Y_h", $"lstm{layer}_Y_c"],
                OnnxTensors.Int("hidden_size", hidden), OnnxTensors.String("direction", "forward")));
            if (layer + 1 < layers)
            {
                graph.Node.Add(OnnxTensors.Node("Reshape", $"lstm{layer}_out", [$"lstm{layer}_Y_h", "step_shape"], [$"lstm{layer + 1}_X"]));
            }
            nextHidden[layer] = $"lstm{layer}_Y_h";
            nextCell[layer] = $"lstm{layer}_Y_c";
        }
        graph.Node.Add(OnnxTensors.Node("Concat", NextHiddenName, nextHidden, [NextHiddenName], OnnxTensors.Int("axis", 0)));
        graph.Node.Add(OnnxTensors.Node("Concat", NextCellName, nextCell, [NextCellName], OnnxTensors.Int("axis", 0)));

        graph.Initializer.Add(OnnxTensors.Float("fc.weight", weights.HeadWeight, weights.OutputSize, hidden));
        graph.Initializer.Add(OnnxTensors.Float("fc.bias", weights.HeadBias, weights.OutputSize));
        graph.Node.Add(OnnxTensors.Node("Reshape", "top_hidden", [$"lstm{layers - 1}_Y_h", "row_shape"], ["top_hidden"]));
        graph.Node.Add(OnnxTensors.Node("Gemm", "fc", ["top_hidden", "fc.weight", "fc.bias"], [ForecastName], OnnxTensors.Int("transB", 1)));

        graph.Output.Add(OnnxTensors.FloatValue(NextHiddenName, layers, 1, hidden));
        graph.Output.Add(OnnxTensors.FloatValue(NextCellName, layers, 1, hidden));
        graph.Output.Add(OnnxTensors.FloatValue(ScaledPointName, 1, features));
        graph.Output.Add(OnnxTensors.FloatValue(ForecastName, 1, weights.OutputSize));
        var model = new ModelProto { IrVersion = 7, ProducerName = "MLNet.Lstm", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }
}

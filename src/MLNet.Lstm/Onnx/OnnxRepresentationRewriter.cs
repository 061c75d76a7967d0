using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Rewrites a copy of an LSTM graph so that its only output is one representation as a
/// [batch, size] tensor. The LSTM nodes' hidden and cell outputs are exposed (named where the
/// exporter left them unnamed) and reduced in the graph, so ONNX Runtime hands back exactly
/// the feature vectors, and nodes the representation does not need (a head, say) are pruned
/// by ONNX Runtime's dead-node elimination.
/// </summary>
internal static class OnnxRepresentationRewriter
{
    public const string FeaturesName = "mlnet_lstm_features";

    public static (ModelProto Model, int Size) Rewrite(ModelProto source, LstmGraphInfo info, LstmRepresentation representation)
    {
        var model = source.Clone();
        var graph = model.Graph;
        var lstmNodes = info.LstmNodes.Select(n => graph.Node[source.Graph.Node.IndexOf(n)]).ToList();
        // Names made from a node's name (its unnamed outputs here, the int8 rewrite's node and
        // weights) must differ between layers: ONNX lets an exporter leave node names empty.
        for (int layer = 0; layer < lstmNodes.Count; layer++)
        {
            if (lstmNodes[layer].Name.Length == 0)
            {
                lstmNodes[layer].Name = $"mlnet_lstm{layer}";
            }
        }
        var top = lstmNodes[^1];
        int stateSize = info.NumDirections * info.HiddenSize;
        var nodes = new List<NodeProto>();

        int size;
        switch (representation)
        {
            case LstmRepresentation.LastHidden:
                AddBatchMajorFlatten(nodes, OutputOf(top, 1, "Y_h"), "last_hidden", FeaturesName);
                size = stateSize;
                break;
            case LstmRepresentation.LastCell:
                AddBatchMajorFlatten(nodes, OutputOf(top, 2, "Y_c"), "last_cell", FeaturesName);
                size = stateSize;
                break;
            case LstmRepresentation.LastHiddenAllLayers:
                var perLayer = new List<string>();
                for (int layer = 0; layer < lstmNodes.Count; layer++)
                {
                    string batchMajor = $"mlnet_layer{layer}_h_batch_major";
                    nodes.Add(OnnxTensors.Node("Transpose", batchMajor, [OutputOf(lstmNodes[layer], 1, "Y_h")], [batchMajor], OnnxTensors.Ints("perm", 1, 0, 2)));
                    perLayer.Add(batchMajor);
                }
                nodes.Add(OnnxTensors.Node("Concat", "mlnet_all_layers", [.. perLayer], ["mlnet_all_layers"], OnnxTensors.Int("axis", 1)));
                nodes.Add(OnnxTensors.Node("Flatten", "mlnet_features", ["mlnet_all_layers"], [FeaturesName], OnnxTensors.Int("axis", 1)));
                size = lstmNodes.Count * stateSize;
                break;
            case LstmRepresentation.MeanHidden:
            case LstmRepresentation.MaxHidden:
                string op = representation == LstmRepresentation.MeanHidden ? "ReduceMean" : "ReduceMax";
                AddReduceOverTime(graph, nodes, op, OutputOf(top, 0, "Y"), info.Opset, "mlnet_over_time");
                AddBatchMajorFlatten(nodes, "mlnet_over_time", "over_time", FeaturesName);
                size = stateSize;
                break;
            case LstmRepresentation.LastMeanMax:
                AddBatchMajorFlatten(nodes, OutputOf(top, 1, "Y_h"), "last_hidden", "mlnet_last");
                AddReduceOverTime(graph, nodes, "ReduceMean", OutputOf(top, 0, "Y"), info.Opset, "mlnet_mean_over_time");
                AddBatchMajorFlatten(nodes, "mlnet_mean_over_time", "mean_over_time", "mlnet_mean");
                AddReduceOverTime(graph, nodes, "ReduceMax", OutputOf(top, 0, "Y"), info.Opset, "mlnet_max_over_time");
                AddBatchMajorFlatten(nodes, "mlnet_max_over_time", "max_over_time", "mlnet_max");
                // A convolutional branch joins the features as it joins the head's input: after the LSTM's; the kernel banks' come last.
                var parts = new List<string> { "mlnet_last", "mlnet_mean", "mlnet_max" };
                if (info.ConvFeatureSize > 0)
                {
                    parts.Add(OnnxLstmGraphBuilder.ConvFeaturesName);
                }
                if (info.KernelFeatureSize > 0)
                {
                    parts.Add(OnnxKernelBankNodes.FeaturesName);
                }
                string features = info.FeatureOffset is null && info.FeatureScale is null ? FeaturesName : "mlnet_unscaled_features";
                nodes.Add(OnnxTensors.Node("Concat", "mlnet_features", [.. parts], [features], OnnxTensors.Int("axis", 1)));
                if (info.FeatureOffset is not null)
                {
                    string shifted = info.FeatureScale is null ? FeaturesName : "mlnet_shifted_features";
                    nodes.Add(OnnxTensors.Node("Sub", "mlnet_feature_shift", [features, OnnxLstmGraphBuilder.FeatureOffsetName], [shifted]));
                    features = shifted;
                }
                if (info.FeatureScale is not null)
                {
                    nodes.Add(OnnxTensors.Node("Mul", "mlnet_feature_scale", [features, OnnxLstmGraphBuilder.FeatureScaleName], [FeaturesName]));
                }
                size = checked(3 * stateSize + info.ConvFeatureSize + info.KernelFeatureSize);
                break;
            case LstmRepresentation.ModelOutput:
                if (info.OutputSize == 0)
                {
                    throw LstmThrow.NoHead(info.OutputShape);
                }
                nodes.Add(OnnxTensors.Node("Flatten", "mlnet_features", [info.OutputName], [FeaturesName], OnnxTensors.Int("axis", 1)));
                size = info.OutputSize;
                break;
            case LstmRepresentation.NextStepError:
                AddNextStepError(graph, nodes, info, OutputOf(top, 0, "Y"), lstmNodes[0].Input[0]);
                size = 1;
                break;
            default:
                throw LstmThrow.RepresentationUnknown(representation);
        }

        graph.Node.AddRange(nodes);
        OnnxInitialStates.ReplaceWithZeros(graph, info.StateInputs ?? [], info.InputName, info.Opset);
        graph.Output.Clear();
        graph.Output.Add(OnnxTensors.FloatValue(FeaturesName, "batch", size));
        return (model, size);
    }

    /// <summary>
    /// Mean over steps and features of (head(h_t) − x_(t+1))², per row: the head (a Gemm on the
    /// top layer's output) applied at every step as a MatMul, against the LSTM's own input
    /// (time-major, after any scaling and pooling) shifted by one; NaN when the LSTM reads one step.
    /// </summary>
    private static void AddNextStepError(GraphProto graph, List<NodeProto> nodes, LstmGraphInfo info, string y, string lstmInput)
    {
        if (info.ConvFeatureSize > 0)
        {
            throw LstmThrow.NextStepErrorConvBranch(info.ConvLayers!.Count);
        }
        var head = graph.Node.Where(n => n.OpType == "Gemm").ToList();
        if (info.Bidirectional || info.OutputSize != info.InputSize || head.Count != 1)
        {
            throw LstmThrow.NoNextStepHead(info.InputSize, info.OutputSize, info.Bidirectional);
        }
        var gemm = head[0];
        graph.Initializer.Add(OnnxTensors.Int64("mlnet_steps_shape", [0, -1, info.HiddenSize], 3));
        graph.Initializer.Add(OnnxTensors.Int64("mlnet_zero", [0], 1));
        graph.Initializer.Add(OnnxTensors.Int64("mlnet_one", [1], 1));
        graph.Initializer.Add(OnnxTensors.Int64("mlnet_minus_one", [-1], 1));
        graph.Initializer.Add(OnnxTensors.Int64("mlnet_end", [long.MaxValue], 1));
        graph.Initializer.Add(OnnxTensors.Int64("mlnet_column_shape", [-1, 1], 2));
        nodes.Add(OnnxTensors.Node("Reshape", "mlnet_states", [y, "mlnet_steps_shape"], ["mlnet_states"]));
        string weight = gemm.Input[1];
        if (OnnxTensors.GetInt(gemm, "transB") == 1)
        {
            nodes.Add(OnnxTensors.Node("Transpose", "mlnet_head_weight", [weight], ["mlnet_head_weight"], OnnxTensors.Ints("perm", 1, 0)));
            weight = "mlnet_head_weight";
        }
        nodes.Add(OnnxTensors.Node("MatMul", "mlnet_forecast_matmul", ["mlnet_states", weight], ["mlnet_forecast_raw"]));
        string forecast = "mlnet_forecast_raw";
        if (gemm.Input.Count > 2 && gemm.Input[2].Length > 0)
        {
            nodes.Add(OnnxTensors.Node("Add", "mlnet_forecast", [forecast, gemm.Input[2]], ["mlnet_forecast"]));
            forecast = "mlnet_forecast";
        }
        nodes.Add(OnnxTensors.Node("Slice", "mlnet_forecast_steps", [forecast, "mlnet_zero", "mlnet_minus_one", "mlnet_zero"], ["mlnet_forecast_steps"]));
        nodes.Add(OnnxTensors.Node("Slice", "mlnet_next_steps", [lstmInput, "mlnet_one", "mlnet_end", "mlnet_zero"], ["mlnet_next_steps"]));
        nodes.Add(OnnxTensors.Node("Sub", "mlnet_forecast_error", ["mlnet_forecast_steps", "mlnet_next_steps"], ["mlnet_forecast_error"]));
        nodes.Add(OnnxTensors.Node("Mul", "mlnet_squared_error", ["mlnet_forecast_error", "mlnet_forecast_error"], ["mlnet_squared_error"]));
        if (info.Opset >= 18)
        {
            graph.Initializer.Add(OnnxTensors.Int64("mlnet_error_axes", [0, 2], 2));
            nodes.Add(OnnxTensors.Node("ReduceMean", "mlnet_mean_error", ["mlnet_squared_error", "mlnet_error_axes"], ["mlnet_mean_error"], OnnxTensors.Int("keepdims", 0)));
        }
        else
        {
            nodes.Add(OnnxTensors.Node("ReduceMean", "mlnet_mean_error", ["mlnet_squared_error"], ["mlnet_mean_error"], OnnxTensors.Ints("axes", 0, 2), OnnxTensors.Int("keepdims", 0)));
        }
        // One step the LSTM reads (T' = 1) leaves no next step to forecast: the mean over none is
        // NaN, ML.NET's missing value, not ReduceMean's 0 (the most normal score). (T' − 1) / (T' − 1)
        // is 1 or 0/0 = NaN, and multiplying by exactly 1 leaves every other score unchanged.
        nodes.Add(OnnxTensors.Node("Shape", "mlnet_next_steps_shape", ["mlnet_next_steps"], ["mlnet_next_steps_shape"]));
        nodes.Add(OnnxTensors.Node("Gather", "mlnet_forecasts_count", ["mlnet_next_steps_shape", "mlnet_zero"], ["mlnet_forecasts_count"], OnnxTensors.Int("axis", 0)));
        nodes.Add(OnnxTensors.Node("Cast", "mlnet_forecasts_float", ["mlnet_forecasts_count"], ["mlnet_forecasts_float"], OnnxTensors.Int("to", (long)TensorProto.Types.DataType.Float)));
        nodes.Add(OnnxTensors.Node("Div", "mlnet_one_or_nan", ["mlnet_forecasts_float", "mlnet_forecasts_float"], ["mlnet_one_or_nan"]));
        nodes.Add(OnnxTensors.Node("Mul", "mlnet_error_or_nan", ["mlnet_mean_error", "mlnet_one_or_nan"], ["mlnet_error_or_nan"]));
        nodes.Add(OnnxTensors.Node("Reshape", "mlnet_features", ["mlnet_error_or_nan", "mlnet_column_shape"], [FeaturesName]));
    }

    /// <summary>The node's output at <paramref name="index"/>, named first if the exporter left it out.</summary>
    private static string OutputOf(NodeProto node, int index, string suffix)
    {
        while (node.Output.Count <= index)
        {
            node.Output.Add("");
        }
        if (node.Output[index].Length == 0)
        {
            node.Output[index] = $"mlnet_{node.Name}_{suffix}";
        }
        return node.Output[index];
    }

    /// <summary>[D, N, H] → [N, D·H], forward direction first.</summary>
    private static void AddBatchMajorFlatten(List<NodeProto> nodes, string state, string name, string output)
    {
        string batchMajor = $"mlnet_{name}_batch_major";
        nodes.Add(OnnxTensors.Node("Transpose", batchMajor, [state], [batchMajor], OnnxTensors.Ints("perm", 1, 0, 2)));
        nodes.Add(OnnxTensors.Node("Flatten", $"mlnet_{name}_flatten", [batchMajor], [output], OnnxTensors.Int("axis", 1)));
    }

    /// <summary>Y [T, D, N, H] → [D, N, H]; opset 18 moved the reduce axes from an attribute to an input.</summary>
    private static void AddReduceOverTime(GraphProto graph, List<NodeProto> nodes, string op, string y, long opset, string output)
    {
        if (opset >= 18)
        {
            const string axis = "mlnet_time_axis";
            if (!graph.Initializer.Any(i => i.Name == axis))
            {
                graph.Initializer.Add(OnnxTensors.Int64(axis, [0], 1));
            }
            nodes.Add(OnnxTensors.Node(op, output, [y, axis], [output], OnnxTensors.Int("keepdims", 0)));
        }
        else
        {
            nodes.Add(OnnxTensors.Node(op, output, [y], [output], OnnxTensors.Ints("axes", 0), OnnxTensors.Int("keepdims", 0)));
        }
    }
}

using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Builds the ONNX graph of <c>nn.LSTM(batch_first=True)</c> (+ <c>nn.Linear</c> on the last
/// step) from PyTorch-layout weights, node for node as <c>torch.onnx.export</c> writes it:
/// ONNX Runtime's CPU LSTM rejects batch-major layout, so the batch-major input is transposed
/// to time-major and every layer is one LSTM node with layout 0. Input scaling and pooling over
/// time (<see cref="LstmWeights.InputOffset"/>, <see cref="LstmWeights.InputScale"/>,
/// <see cref="LstmWeights.PoolingStride"/>) come first as plain ONNX nodes, and a head that
/// reads the last, mean and max states concatenates them before its Gemm. A convolutional
/// branch (<see cref="LstmWeights.GetConvLayer"/>) reads the LSTM's input as [N, F, T]: a Conv
/// (PyTorch's padding='same') and Relu per layer, a GlobalAveragePool, and its [N, C] features
/// join the head's input after the LSTM's. Kernel banks (<see cref="OnnxKernelBankNodes"/>) read the
/// scaled input and are the graph's second output. The node and
/// initializer names here are what <see cref="OnnxLstmGraphReader"/> recognises them by.
/// </summary>
internal static class OnnxLstmGraphBuilder
{
    /// <summary>The producer our graphs name: kernel banks and feature constants are read only from graphs that carry it.</summary>
    public const string Producer = "MLNet.Lstm";
    public const string InputName = "input";
    public const string OutputName = "output";
    public const string InputOffsetName = "input.offset";
    public const string InputScaleName = "input.scale";
    public const string PoolNodeName = "time_pool";
    public const string ConvPoolNodeName = "conv_time_pool";
    public const string ConvInputName = "conv_input";
    public const string HeadInputNodeName = "head_last_mean_max";
    public const string ConvFeaturesName = "conv_features";

    /// <summary>The Concat of the branch's means over all steps and over each half (<see cref="LstmWeights.ConvHalves"/>), and its output.</summary>
    public const string ConvHalvesName = "conv_halves";
    public const string HeadWithConvName = "head_with_conv";

    /// <summary>The constants the featurizer standardizes the LastMeanMax features with (<see cref="LstmWeights.FeatureOffset"/>, <see cref="LstmWeights.FeatureScale"/>): no node of this graph reads them; <see cref="OnnxRepresentationRewriter"/> applies them.</summary>
    public const string FeatureOffsetName = "features.offset";
    public const string FeatureScaleName = "features.scale";
    private const int Opset = 14;

    public static ModelProto Build(LstmWeights weights)
    {
        weights.Validate();
        int hidden = weights.HiddenSize;
        int directions = weights.NumDirections;
        var graph = new GraphProto { Name = "lstm" };
        graph.Input.Add(OnnxTensors.FloatValue(InputName, "batch", "sequence", weights.InputSize));

        string scaled = AddScaling(graph, weights, InputName);
        string layerInput = AddPooling(graph, weights, scaled);
        string? convFeatures = weights.ConvLayerCount > 0 ? AddConvBranch(graph, weights, layerInput, scaled) : null;
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
            graph.Initializer.Add(OnnxTensors.Float("fc.weight", weights.HeadWeight, weights.OutputSize, weights.HeadInputWidth));
            graph.Initializer.Add(OnnxTensors.Float("fc.bias", weights.HeadBias, weights.OutputSize));
            string headInput = weights.HeadInput == LstmHeadInput.LastMeanMax ? AddLastMeanMax(graph, weights, layerInput) : AddLastStep(graph, layerInput);
            if (convFeatures is not null)
            {
                graph.Node.Add(OnnxTensors.Node("Concat", HeadWithConvName, [headInput, convFeatures], [HeadWithConvName], OnnxTensors.Int("axis", 1)));
                headInput = HeadWithConvName;
            }
            graph.Node.Add(OnnxTensors.Node("Gemm", "fc", [headInput, "fc.weight", "fc.bias"], [OutputName], OnnxTensors.Int("transB", 1)));
            graph.Output.Add(OnnxTensors.FloatValue(OutputName, "batch", weights.OutputSize));
        }
        else
        {
            graph.Node.Add(OnnxTensors.Node("Transpose", "to_batch_major", [layerInput], [OutputName], OnnxTensors.Ints("perm", 1, 0, 2)));
            graph.Output.Add(OnnxTensors.FloatValue(OutputName, "batch", "sequence", directions * hidden));
        }

        // The kernel features are a second output: the head does not read them, and the representation takes them from there.
        if (weights.KernelBanks.Count > 0)
        {
            OnnxKernelBankNodes.Add(graph, weights, scaled);
            graph.Output.Add(OnnxTensors.FloatValue(OnnxKernelBankNodes.FeaturesName, "batch", weights.KernelFeatureSize));
        }

        if (weights.FeatureOffset is { } featureOffset)
        {
            graph.Initializer.Add(OnnxTensors.Float(FeatureOffsetName, featureOffset, featureOffset.Length));
        }
        if (weights.FeatureScale is { } featureScale)
        {
            graph.Initializer.Add(OnnxTensors.Float(FeatureScaleName, featureScale, featureScale.Length));
        }

        var model = new ModelProto { IrVersion = 7, ProducerName = Producer, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    /// <summary>
    /// Scaled [N, T, F] → mean of every PoolingStride steps → time-major [T', N, F].
    /// AveragePool with ceil_mode averages the last, partial window over the steps it holds, as
    /// PyTorch's avg_pool1d(ceil_mode=True) does.
    /// </summary>
    private static string AddPooling(GraphProto graph, LstmWeights weights, string x)
    {
        if (weights.PoolingStride == 1)
        {
            graph.Node.Add(OnnxTensors.Node("Transpose", "to_time_major", [x], ["x_time_major"], OnnxTensors.Ints("perm", 1, 0, 2)));
            return "x_time_major";
        }
        graph.Node.Add(OnnxTensors.Node("Transpose", "to_channels_first", [x], ["x_channels_first"], OnnxTensors.Ints("perm", 0, 2, 1)));
        graph.Node.Add(OnnxTensors.Node("AveragePool", PoolNodeName, ["x_channels_first"], ["x_pooled"],
            OnnxTensors.Ints("kernel_shape", weights.PoolingStride), OnnxTensors.Ints("strides", weights.PoolingStride), OnnxTensors.Int("ceil_mode", 1)));
        graph.Node.Add(OnnxTensors.Node("Transpose", "to_time_major", ["x_pooled"], ["x_time_major"], OnnxTensors.Ints("perm", 2, 0, 1)));
        return "x_time_major";
    }

    /// <summary>
    /// The LSTM's time-major input [T', N, F] → [N, F, T'] or, when the branch pools by its own
    /// <see cref="LstmWeights.ConvPoolingStride"/>, the scaled input [N, T, F] → [N, F, T] → its own
    /// AveragePool (<see cref="ConvPoolNodeName"/>); then (Conv → Relu) per layer → GlobalAveragePool
    /// (beside each half's mean with <see cref="LstmWeights.ConvHalves"/>, <see cref="ConvHalvesNodes"/>)
    /// → [N, C] (or [N, 3C]); returns the features' name. Node conv{i} reads initializers conv{i}.weight [C_out, C_in, K]
    /// and conv{i}.bias, padded (K − 1) / 2 steps before and the rest after, as PyTorch's padding='same'.
    /// </summary>
    private static string AddConvBranch(GraphProto graph, LstmWeights weights, string timeMajor, string scaled)
    {
        string x = ConvInputName;
        if (weights.ConvPoolingStride == weights.PoolingStride)
        {
            graph.Node.Add(OnnxTensors.Node("Transpose", "conv_channels_first", [timeMajor], [x], OnnxTensors.Ints("perm", 1, 2, 0)));
        }
        else if (weights.ConvPoolingStride == 1)
        {
            graph.Node.Add(OnnxTensors.Node("Transpose", "conv_channels_first", [scaled], [x], OnnxTensors.Ints("perm", 0, 2, 1)));
        }
        else
        {
            graph.Node.Add(OnnxTensors.Node("Transpose", "conv_channels_first", [scaled], ["conv_unpooled"], OnnxTensors.Ints("perm", 0, 2, 1)));
            graph.Node.Add(OnnxTensors.Node("AveragePool", ConvPoolNodeName, ["conv_unpooled"], [x],
                OnnxTensors.Ints("kernel_shape", weights.ConvPoolingStride), OnnxTensors.Ints("strides", weights.ConvPoolingStride), OnnxTensors.Int("ceil_mode", 1)));
        }
        for (int i = 0; i < weights.ConvLayerCount; i++)
        {
            var layer = weights.GetConvLayer(i);
            graph.Initializer.Add(OnnxTensors.Float($"conv{i}.weight", layer.Weight, layer.OutputChannels, layer.InputChannels, layer.KernelSize));
            graph.Initializer.Add(OnnxTensors.Float($"conv{i}.bias", layer.Bias, layer.OutputChannels));
            graph.Node.Add(OnnxTensors.Node("Conv", $"conv{i}", [x, $"conv{i}.weight", $"conv{i}.bias"], [$"conv{i}_out"],
                OnnxTensors.Ints("kernel_shape", layer.KernelSize),
                OnnxTensors.Ints("pads", layer.PadBefore, layer.KernelSize - 1 - layer.PadBefore)));
            graph.Node.Add(OnnxTensors.Node("Relu", $"conv{i}_relu", [$"conv{i}_out"], [$"conv{i}_relu"]));
            x = $"conv{i}_relu";
        }
        graph.Node.Add(OnnxTensors.Node("GlobalAveragePool", "conv_pool", [x], ["conv_pooled"]));
        string pooled = "conv_pooled";
        if (weights.ConvHalves)
        {
            var (nodes, initializers) = ConvHalvesNodes(x, pooled);
            graph.Initializer.Add(initializers);
            graph.Node.Add(nodes);
            pooled = ConvHalvesName;
        }
        graph.Node.Add(OnnxTensors.Node("Flatten", ConvFeaturesName, [pooled], [ConvFeaturesName], OnnxTensors.Int("axis", 1)));
        return ConvFeaturesName;
    }

    /// <summary>
    /// The nodes that put the last layer's mean over each half of the steps beside its mean over
    /// all of them (<see cref="LstmWeights.ConvHalves"/>): T from the shape, the first ⌈T/2⌉ and the
    /// last ⌈T/2⌉ steps sliced and averaged, and the three means concatenated channel-wise into
    /// <see cref="ConvHalvesName"/> [N, 3C, 1]. Only plain opset-11 operators, so exports keep them;
    /// the reader compares a graph's nodes with these.
    /// </summary>
    internal static (NodeProto[] Nodes, TensorProto[] Initializers) ConvHalvesNodes(string lastRelu, string wholeMean)
    {
        const string steps = "conv_halves_steps", axis = "conv_halves_axis", one = "conv_halves_one", two = "conv_halves_two", zero = "conv_halves_zero", end = "conv_halves_end";
        TensorProto[] initializers =
        [
            OnnxTensors.Int64(axis, [2], 1),
            OnnxTensors.Int64("conv_halves_axis_end", [3], 1),
            OnnxTensors.Int64(one, [1], 1),
            OnnxTensors.Int64(two, [2], 1),
            OnnxTensors.Int64(zero, [0], 1),
            OnnxTensors.Int64(end, [long.MaxValue], 1),
        ];
        NodeProto[] nodes =
        [
            OnnxTensors.Node("Shape", "conv_halves_shape", [lastRelu], ["conv_halves_shape"]),
            OnnxTensors.Node("Slice", steps, ["conv_halves_shape", axis, "conv_halves_axis_end"], [steps]),
            OnnxTensors.Node("Add", "conv_halves_steps_plus_one", [steps, one], ["conv_halves_steps_plus_one"]),
            OnnxTensors.Node("Div", "conv_first_half_end", ["conv_halves_steps_plus_one", two], ["conv_first_half_end"]),
            OnnxTensors.Node("Div", "conv_second_half_start", [steps, two], ["conv_second_half_start"]),
            OnnxTensors.Node("Slice", "conv_first_half", [lastRelu, zero, "conv_first_half_end", axis], ["conv_first_half"]),
            OnnxTensors.Node("Slice", "conv_second_half", [lastRelu, "conv_second_half_start", end, axis], ["conv_second_half"]),
            OnnxTensors.Node("ReduceMean", "conv_first_half_mean", ["conv_first_half"], ["conv_first_half_mean"], OnnxTensors.Ints("axes", 2), OnnxTensors.Int("keepdims", 1)),
            OnnxTensors.Node("ReduceMean", "conv_second_half_mean", ["conv_second_half"], ["conv_second_half_mean"], OnnxTensors.Ints("axes", 2), OnnxTensors.Int("keepdims", 1)),
            OnnxTensors.Node("Concat", ConvHalvesName, [wholeMean, "conv_first_half_mean", "conv_second_half_mean"], [ConvHalvesName], OnnxTensors.Int("axis", 1)),
        ];
        return (nodes, initializers);
    }

    /// <summary>(x − offset) · scale over the last axis, each only when the weights have it; returns the scaled value's name.</summary>
    public static string AddScaling(GraphProto graph, LstmWeights weights, string x)
    {
        if (weights.InputOffset is { } offset)
        {
            graph.Initializer.Add(OnnxTensors.Float(InputOffsetName, offset, weights.InputSize));
            graph.Node.Add(OnnxTensors.Node("Sub", "input_shift", [x, InputOffsetName], ["x_shifted"]));
            x = "x_shifted";
        }
        if (weights.InputScale is { } scale)
        {
            graph.Initializer.Add(OnnxTensors.Float(InputScaleName, scale, weights.InputSize));
            graph.Node.Add(OnnxTensors.Node("Mul", "input_scale", [x, InputScaleName], ["x_scaled"]));
            x = "x_scaled";
        }
        return x;
    }

    private static string AddLastStep(GraphProto graph, string topOutput)
    {
        graph.Initializer.Add(OnnxTensors.Int64("last_step_index", [-1]));
        graph.Node.Add(OnnxTensors.Node("Gather", "last_step", [topOutput, "last_step_index"], ["last_step_out"], OnnxTensors.Int("axis", 0)));
        return "last_step_out";
    }

    /// <summary>[top layer's Y_h as [N, D·H], mean over time, max over time] → [N, 3·D·H].</summary>
    private static string AddLastMeanMax(GraphProto graph, LstmWeights weights, string topOutput)
    {
        string yh = $"lstm{weights.NumLayers - 1}_Y_h";
        graph.Node.Add(OnnxTensors.Node("Transpose", "head_last_batch_major", [yh], ["head_last_batch_major"], OnnxTensors.Ints("perm", 1, 0, 2)));
        graph.Node.Add(OnnxTensors.Node("Flatten", "head_last", ["head_last_batch_major"], ["head_last"], OnnxTensors.Int("axis", 1)));
        graph.Node.Add(OnnxTensors.Node("ReduceMean", "head_mean", [topOutput], ["head_mean"], OnnxTensors.Ints("axes", 0), OnnxTensors.Int("keepdims", 0)));
        graph.Node.Add(OnnxTensors.Node("ReduceMax", "head_max", [topOutput], ["head_max"], OnnxTensors.Ints("axes", 0), OnnxTensors.Int("keepdims", 0)));
        graph.Node.Add(OnnxTensors.Node("Concat", HeadInputNodeName, ["head_last", "head_mean", "head_max"], [HeadInputNodeName], OnnxTensors.Int("axis", 1)));
        return HeadInputNodeName;
    }

    /// <summary>Layer <paramref name="layer"/>'s W, R and B in ONNX's layout, named lstm{layer}_W/_R/_B.</summary>
    public static void AddLayerInitializers(GraphProto graph, LstmWeights weights, int layer)
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

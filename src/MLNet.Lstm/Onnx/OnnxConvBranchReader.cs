using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Finds the convolutional branch <see cref="OnnxLstmGraphBuilder"/> writes (nodes conv0, conv1, …
/// ending in the Flatten named <see cref="OnnxLstmGraphBuilder.ConvFeaturesName"/>) and reads its
/// layers back; refuses, for <see cref="LstmModel.GetWeights"/>, any Conv node the branch's
/// layout (PyTorch's nn.Conv1d with padding='same', stride, dilation and groups 1) cannot carry.
/// </summary>
internal static class OnnxConvBranchReader
{
    /// <summary>The branch's Conv nodes in order and its features per row; none when the graph has no branch of ours.</summary>
    public static (IReadOnlyList<NodeProto> Layers, int FeatureSize) Find(GraphProto graph, string source)
    {
        if (!graph.Node.Any(n => n.OpType == "Flatten" && n.Name == OnnxLstmGraphBuilder.ConvFeaturesName))
        {
            return ([], 0);
        }
        var layers = new List<NodeProto>();
        while (graph.Node.FirstOrDefault(n => n.OpType == "Conv" && n.Name == $"conv{layers.Count}") is { } node)
        {
            layers.Add(node);
        }
        if (layers.Count == 0)
        {
            throw LstmThrow.ModelInvalid(source, $"its convolutional features '{OnnxLstmGraphBuilder.ConvFeaturesName}' follow no Conv node named conv0");
        }
        var weight = layers[^1].Input.Count > 1 ? OnnxTensors.Find(graph, layers[^1].Input[1]) : null;
        if (weight is not { Dims.Count: 3 } || weight.Dims[0] < 1 || weight.Dims[0] > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.ModelInvalid(source, $"its Conv node '{layers[^1].Name}' has no constant weight [channels, input channels, kernel]");
        }
        return (layers, (int)weight.Dims[0]);
    }

    /// <summary>Refuses a Conv node outside <paramref name="layers"/>, or one of them that <see cref="LstmConvLayerWeights"/> cannot carry.</summary>
    public static void CheckCarriedByWeights(GraphProto graph, IReadOnlyList<NodeProto> layers, int inputSize, string source)
    {
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Conv" && !layers.Contains(node))
            {
                throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, "no place in the convolutional branch LstmWeights holds (layers named conv0, conv1, … feeding 'conv_features')");
            }
        }
        int channels = inputSize;
        foreach (var node in layers)
        {
            var (weight, _) = Tensors(graph, node, source);
            if (weight.Dims.Count != 3 || weight.Dims[1] != channels)
            {
                throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name,
                    $"a weight of shape [{string.Join(", ", weight.Dims)}]; expected [channels, {channels}, kernel] (one-dimensional, reading {channels} channels)");
            }
            long kernel = weight.Dims[2];
            long padBefore = (kernel - 1) / 2;
            foreach (var attribute in node.Attribute)
            {
                string? found = attribute.Name switch
                {
                    "group" when attribute.I != 1 => attribute.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "strides" or "dilations" when attribute.Ints.Any(v => v != 1) => $"[{string.Join(", ", attribute.Ints)}]",
                    "pads" when attribute.Ints.Count != 2 || attribute.Ints[0] != padBefore || attribute.Ints[1] != kernel - 1 - padBefore =>
                        $"[{string.Join(", ", attribute.Ints)}] (padding='same' for kernel {kernel} is [{padBefore}, {kernel - 1 - padBefore}])",
                    "auto_pad" when attribute.S.ToStringUtf8() is not ("" or "NOTSET") => attribute.S.ToStringUtf8(),
                    _ => null,
                };
                if (found is not null)
                {
                    throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, $"attribute {attribute.Name} = {found}");
                }
            }
            if (kernel > 1 && OnnxTensors.GetInts(node, "pads") is null)
            {
                throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, $"no pads (a 'valid' convolution shortens the sequence); expected [{padBefore}, {kernel - 1 - padBefore}]");
            }
            channels = checked((int)weight.Dims[0]);
        }
    }

    /// <summary>Copies the layers' weights and biases into <paramref name="weights"/>, whose branch has their shapes.</summary>
    public static void Read(GraphProto graph, IReadOnlyList<NodeProto> layers, LstmWeights weights, string source)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var (weight, bias) = Tensors(graph, layers[i], source);
            var layer = weights.GetConvLayer(i);
            OnnxTensors.ReadFloats(weight, source).CopyTo(layer.Weight, 0);
            if (bias is not null)
            {
                var values = OnnxTensors.ReadFloats(bias, source);
                if (values.Length != layer.OutputChannels)
                {
                    throw LstmThrow.NotCarriedByWeights(source, "Conv", layers[i].Name, $"{values.Length} biases; expected {layer.OutputChannels}, one per channel");
                }
                values.CopyTo(layer.Bias, 0);
            }
        }
    }

    /// <summary>Each layer's channels and kernel size, from its weight's shape.</summary>
    public static (int[] Channels, int[] KernelSizes) Shapes(GraphProto graph, IReadOnlyList<NodeProto> layers, string source)
    {
        var channels = new int[layers.Count];
        var kernels = new int[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var (weight, _) = Tensors(graph, layers[i], source);
            channels[i] = checked((int)weight.Dims[0]);
            kernels[i] = checked((int)weight.Dims[2]);
        }
        return (channels, kernels);
    }

    private static (TensorProto Weight, TensorProto? Bias) Tensors(GraphProto graph, NodeProto node, string source)
    {
        var weight = node.Input.Count > 1 ? OnnxTensors.Find(graph, node.Input[1]) : null;
        if (weight is null)
        {
            throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, "a weight that is not a constant tensor");
        }
        var bias = node.Input.Count > 2 && node.Input[2].Length > 0
            ? OnnxTensors.Find(graph, node.Input[2]) ?? throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, "a bias that is not a constant tensor")
            : null;
        return (weight, bias);
    }
}

using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Finds the convolutional branch <see cref="OnnxLstmGraphBuilder"/> writes (nodes conv0, conv1, …
/// ending in the Flatten named <see cref="OnnxLstmGraphBuilder.ConvFeaturesName"/>) and reads its
/// layers back; refuses, for <see cref="LstmModel.GetWeights"/>, any Conv node or wiring the branch's
/// layout (PyTorch's nn.Conv1d with padding='same', stride, dilation and groups 1, each followed by
/// ReLU, reading the LSTM's input, averaged over time) cannot carry.
/// </summary>
internal static class OnnxConvBranchReader
{
    /// <summary>The branch's Conv nodes in order and its features per row; none when the graph has no branch of ours.</summary>
    public static (IReadOnlyList<NodeProto> Layers, int FeatureSize) Find(GraphProto graph, string source)
    {
        var features = graph.Node.FirstOrDefault(n => n.OpType == "Flatten" && n.Name == OnnxLstmGraphBuilder.ConvFeaturesName);
        if (features is null)
        {
            return ([], 0);
        }
        if (features.Output.Count != 1 || features.Output[0] != OnnxLstmGraphBuilder.ConvFeaturesName)
        {
            throw LstmThrow.ModelInvalid(source, $"its Flatten node '{features.Name}' writes '{string.Join(", ", features.Output)}'; expected the convolutional features '{OnnxLstmGraphBuilder.ConvFeaturesName}'");
        }
        var pooled = features.Input.Count == 1 ? graph.Node.FirstOrDefault(n => n.Output.Contains(features.Input[0])) : null;
        bool halves = pooled is { OpType: "Concat", Name: OnnxLstmGraphBuilder.ConvHalvesName };
        if (!(halves || pooled is { OpType: "GlobalAveragePool" }))
        {
            string producer = pooled is null ? "" : $" written by {pooled.OpType} '{pooled.Name}'";
            throw LstmThrow.ModelInvalid(source, $"its Flatten node '{features.Name}' reads '{string.Join(", ", features.Input)}'{producer}; expected the convolutional branch's GlobalAveragePool (its mean over time) or its Concat '{OnnxLstmGraphBuilder.ConvHalvesName}' (that mean beside its halves' means)");
        }
        if (halves && pooled!.Input.Count != 3)
        {
            throw LstmThrow.ModelInvalid(source, $"its Concat node '{OnnxLstmGraphBuilder.ConvHalvesName}' joins {pooled.Input.Count} tensors; expected 3 (the branch's mean over every step, over its first half and over its last half)");
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
        return (layers, Shape(graph, layers[^1], source).Channels * (halves ? 3 : 1));
    }

    /// <summary>
    /// Refuses a Conv node outside <paramref name="layers"/> and the <paramref name="kernelBanks"/> (read apart), a layer <see cref="LstmConvLayerWeights"/>
    /// cannot carry, or a branch not wired as the builder wires it: conv0 reading the LSTM's input
    /// <paramref name="lstmInput"/> turned channels-first, or the scaled input <paramref name="scaledInput"/>
    /// turned channels-first and pooled by the branch's own AveragePool; each layer a Relu away from
    /// the next, the last one's Relu averaged over time into the features (beside its halves' means
    /// exactly as the builder writes them). Returns the steps the branch averages into one
    /// (<see cref="LstmWeights.ConvPoolingStride"/>) and whether it has the halves (<see cref="LstmWeights.ConvHalves"/>).
    /// </summary>
    public static (int ConvStride, bool Halves) CheckCarriedByWeights(GraphProto graph, IReadOnlyList<NodeProto> layers, int kernelBanks, int inputSize, string lstmInput, string scaledInput, int poolingStride, string source)
    {
        var banks = Enumerable.Range(0, kernelBanks).Select(OnnxKernelBankNodes.ConvName).ToHashSet();
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Conv" && !layers.Contains(node) && !banks.Contains(node.Name))
            {
                throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, "no place in the convolutional branch LstmWeights holds (layers named conv0, conv1, … feeding 'conv_features')");
            }
        }
        if (layers.Count == 0)
        {
            return (poolingStride, false);
        }
        var producers = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                producers.TryAdd(output, node);
            }
        }
        int channels = inputSize;
        int convStride = BranchInputStride(layers[0], producers, lstmInput, scaledInput, poolingStride, source);
        string expectedInput = layers[0].Input[0];
        for (int i = 0; i < layers.Count; i++)
        {
            var node = layers[i];
            var (outputChannels, inputChannels, kernel) = Shape(graph, node, source);
            if (inputChannels != channels)
            {
                throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name,
                    $"a weight reading {inputChannels} channels; expected {channels} ({(i == 0 ? "the features per step" : $"conv{i - 1}'s channels")})");
            }
            CheckAttributes(node, kernel, source);
            var reads = node.Input.Count > 0 && producers.TryGetValue(node.Input[0], out var producer) ? producer : null;
            if (i > 0 && !(reads is { OpType: "Relu" } && reads.Input.Count == 1 && reads.Input[0] == expectedInput))
            {
                throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, $"an input '{node.Input.FirstOrDefault()}' that is not the Relu of conv{i - 1}'s output");
            }
            channels = outputChannels;
            expectedInput = node.Output[0];
        }
        var pool = graph.Node.FirstOrDefault(n => n.Name == OnnxLstmGraphBuilder.ConvFeaturesName) is { Input.Count: 1 } flatten
            && producers.TryGetValue(flatten.Input[0], out var pooled) ? pooled : null;
        var halves = pool is { OpType: "Concat", Name: OnnxLstmGraphBuilder.ConvHalvesName } ? pool : null;
        if (halves is not null)
        {
            pool = halves.Input.Count > 0 && producers.TryGetValue(halves.Input[0], out var whole) ? whole : null;
        }
        var relu = pool is { OpType: "GlobalAveragePool", Input.Count: 1 } && producers.TryGetValue(pool.Input[0], out var last) ? last : null;
        if (relu is not { OpType: "Relu", Input.Count: 1 } || relu.Input[0] != expectedInput)
        {
            throw LstmThrow.NotCarriedByWeights(source, "Conv", layers[^1].Name,
                $"an output that does not reach '{OnnxLstmGraphBuilder.ConvFeaturesName}' through Relu and GlobalAveragePool (the mean over time)");
        }
        if (halves is not null)
        {
            CheckHalves(graph, relu.Output[0], pool!.Output[0], source);
        }
        return (convStride, halves is not null);
    }

    /// <summary>Refuses halves' nodes or constants other than the builder's (<see cref="OnnxLstmGraphBuilder.ConvHalvesNodes"/>), which the training's means would not reproduce.</summary>
    private static void CheckHalves(GraphProto graph, string lastRelu, string wholeMean, string source)
    {
        var (nodes, initializers) = OnnxLstmGraphBuilder.ConvHalvesNodes(lastRelu, wholeMean);
        bool same = nodes.All(expected => graph.Node.Count(n => n.Name == expected.Name) == 1 && graph.Node.First(n => n.Name == expected.Name).Equals(expected))
            && initializers.All(expected => OnnxTensors.Find(graph, expected.Name) is { } found && SameInt64s(found, expected));
        if (!same)
        {
            throw LstmThrow.NotCarriedByWeights(source, "Concat", OnnxLstmGraphBuilder.ConvHalvesName,
                "inputs other than the branch's means over all its steps, its first ⌈T/2⌉ and its last ⌈T/2⌉ steps, as MLNet.Lstm writes them");
        }
    }

    /// <summary>Equal int64 constants however each stores its values (raw_data or int64_data).</summary>
    private static bool SameInt64s(TensorProto found, TensorProto expected) =>
        found.Dims.Equals(expected.Dims) && OnnxTensors.ReadInt64s(found) is { } values && values.AsSpan().SequenceEqual(OnnxTensors.ReadInt64s(expected));

    /// <summary>
    /// The steps averaged into one before conv0: the LSTM's <paramref name="poolingStride"/> when it
    /// reads the LSTM's input turned channels-first (Transpose, perm [1, 2, 0]); 1 when it reads the
    /// scaled input turned channels-first (perm [0, 2, 1]); the stride of the branch's own
    /// AveragePool (<see cref="OnnxLstmGraphBuilder.ConvPoolNodeName"/>) over that.
    /// </summary>
    private static int BranchInputStride(NodeProto conv0, Dictionary<string, NodeProto> producers, string lstmInput, string scaledInput, int poolingStride, string source)
    {
        var reads = conv0.Input.Count > 0 && producers.TryGetValue(conv0.Input[0], out var producer) ? producer : null;
        if (reads is { OpType: "Transpose", Input.Count: 1 } && reads.Input[0] == lstmInput && OnnxTensors.GetInts(reads, "perm") is [1, 2, 0])
        {
            return poolingStride;
        }
        if (IsChannelsFirstOf(reads, scaledInput))
        {
            return 1;
        }
        if (reads is { OpType: "AveragePool", Input.Count: 1 } pool && pool.Name == OnnxLstmGraphBuilder.ConvPoolNodeName
            && producers.TryGetValue(pool.Input[0], out var unpooled) && IsChannelsFirstOf(unpooled, scaledInput))
        {
            var strides = OnnxTensors.GetInts(pool, "strides");
            bool carried = strides is [>= 1 and <= int.MaxValue] && OnnxTensors.GetInts(pool, "kernel_shape") is [long kernel] && kernel == strides[0]
                && OnnxTensors.GetInt(pool, "ceil_mode") == 1 && OnnxTensors.GetInts(pool, "pads") is null or [0, 0] && OnnxTensors.GetInt(pool, "count_include_pad") is null or 0
                && OnnxTensors.GetString(pool, "auto_pad") is null or "" or "NOTSET";
            if (!carried)
            {
                throw LstmThrow.NotCarriedByWeights(source, "AveragePool", pool.Name,
                    "other attributes than the branch's pooling (kernel_shape equal to strides, ceil_mode 1, no pads)");
            }
            return (int)strides![0];
        }
        throw LstmThrow.NotCarriedByWeights(source, "Conv", conv0.Name,
            $"an input '{conv0.Input.FirstOrDefault()}' that is neither the LSTM's input '{lstmInput}' turned channels-first (Transpose, perm [1, 2, 0]) nor the scaled input '{scaledInput}' turned channels-first (perm [0, 2, 1]), pooled or not by '{OnnxLstmGraphBuilder.ConvPoolNodeName}'");
    }

    private static bool IsChannelsFirstOf(NodeProto? node, string batchMajor) =>
        node is { OpType: "Transpose", Input.Count: 1 } && node.Input[0] == batchMajor && OnnxTensors.GetInts(node, "perm") is [0, 2, 1];

    /// <summary>Refuses a head that does not read the LSTM's values then the branch's, as the training's head does.</summary>
    public static void CheckHeadReadsBranch(GraphProto graph, NodeProto gemm, string source)
    {
        var concat = graph.Node.FirstOrDefault(n => n.OpType == "Concat" && n.Name == OnnxLstmGraphBuilder.HeadWithConvName);
        if (concat is null || gemm.Input.Count == 0 || gemm.Input[0] != concat.Output.FirstOrDefault()
            || concat.Input.Count != 2 || concat.Input[1] != OnnxLstmGraphBuilder.ConvFeaturesName || OnnxTensors.GetInt(concat, "axis") != 1)
        {
            throw LstmThrow.NotCarriedByWeights(source, "Gemm", gemm.Name,
                $"an input that is not the LSTM's values then '{OnnxLstmGraphBuilder.ConvFeaturesName}' (Concat '{OnnxLstmGraphBuilder.HeadWithConvName}' on axis 1)");
        }
    }

    /// <summary>Copies the layers' weights and biases into <paramref name="weights"/>, whose branch has their shapes.</summary>
    public static void Read(GraphProto graph, IReadOnlyList<NodeProto> layers, LstmWeights weights, string source)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = weights.GetConvLayer(i);
            OnnxTensors.ReadFloats(OnnxTensors.Find(graph, layers[i].Input[1])!, source).CopyTo(layer.Weight, 0);
            if (layers[i].Input.Count > 2 && layers[i].Input[2].Length > 0)
            {
                var bias = OnnxTensors.Find(graph, layers[i].Input[2])
                    ?? throw LstmThrow.NotCarriedByWeights(source, "Conv", layers[i].Name, $"a bias '{layers[i].Input[2]}' that is not a constant tensor");
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
            (channels[i], _, kernels[i]) = Shape(graph, layers[i], source);
        }
        return (channels, kernels);
    }

    private static void CheckAttributes(NodeProto node, int kernel, string source)
    {
        int padBefore = (kernel - 1) / 2, padAfter = kernel - 1 - padBefore;
        foreach (var attribute in node.Attribute)
        {
            string? found = attribute.Name switch
            {
                "group" when attribute.I != 1 => attribute.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "strides" or "dilations" when attribute.Ints.Any(v => v != 1) => $"[{string.Join(", ", attribute.Ints)}]",
                "kernel_shape" when attribute.Ints.Count != 1 || attribute.Ints[0] != kernel => $"[{string.Join(", ", attribute.Ints)}] (its weight spans {kernel} steps)",
                "pads" when attribute.Ints.Count != 2 || attribute.Ints[0] != padBefore || attribute.Ints[1] != padAfter =>
                    $"[{string.Join(", ", attribute.Ints)}] (padding='same' for kernel {kernel} is [{padBefore}, {padAfter}])",
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
            throw LstmThrow.NotCarriedByWeights(source, "Conv", node.Name, $"no pads (a 'valid' convolution shortens the sequence); expected [{padBefore}, {padAfter}]");
        }
    }

    /// <summary>The layer's weight as [channels, input channels, kernel]: a constant float tensor of rank 3 whose values fill its shape.</summary>
    private static (int Channels, int InputChannels, int Kernel) Shape(GraphProto graph, NodeProto node, string source)
    {
        var weight = node.Input.Count > 1 ? OnnxTensors.Find(graph, node.Input[1]) : null;
        if (weight is null)
        {
            throw LstmThrow.ModelInvalid(source, $"its Conv node '{node.Name}' has no constant weight; expected a float tensor [channels, input channels, kernel]");
        }
        string shape = $"[{string.Join(", ", weight.Dims)}]";
        if (weight.DataType != (int)TensorProto.Types.DataType.Float || weight.Dims.Count != 3 || weight.Dims.Any(d => d < 1 || d > LstmDefaults.MaxTensorElements)
            || (Int128)weight.Dims[0] * weight.Dims[1] * weight.Dims[2] > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.ModelInvalid(source, $"its Conv node '{node.Name}' has a weight '{weight.Name}' of element type {weight.DataType} and shape {shape}; expected float (1) [channels, input channels, kernel], each at least 1, at most {LstmDefaults.MaxTensorElements} values");
        }
        long values = weight.RawData.IsEmpty ? weight.FloatData.Count : weight.RawData.Length / sizeof(float);
        long expected = weight.Dims[0] * weight.Dims[1] * weight.Dims[2];
        if (weight.DataLocation != TensorProto.Types.DataLocation.External && values != expected)
        {
            throw LstmThrow.ModelInvalid(source, $"its Conv node '{node.Name}' has a weight '{weight.Name}' of {values} values; expected {expected} for its shape {shape}");
        }
        return ((int)weight.Dims[0], (int)weight.Dims[1], (int)weight.Dims[2]);
    }
}

using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Reads an ONNX graph (ours or one <c>torch.onnx.export</c> wrote) as a black box: finds its
/// LSTM nodes, its sequence input and its head, and reads the weights back in PyTorch layout.
/// </summary>
internal static class OnnxLstmGraphReader
{
    public static LstmGraphInfo Read(ModelProto model, string source)
    {
        var graph = model.Graph;
        if (graph is null || graph.Node.Count == 0)
        {
            throw LstmThrow.ModelInvalid(source, "it holds no graph");
        }

        var lstmNodes = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (node.OpType == "LSTM" && node.Domain is "" or "ai.onnx")
            {
                lstmNodes.Add(node);
            }
        }
        if (lstmNodes.Count == 0)
        {
            var ops = string.Join(", ", graph.Node.Select(n => n.OpType).Distinct());
            throw LstmThrow.ModelInvalid(source, $"it holds no LSTM node (its operators: {ops})");
        }

        var first = lstmNodes[0];
        long hiddenSize = OnnxTensors.GetInt(first, "hidden_size")
            ?? throw LstmThrow.ModelInvalid(source, $"LSTM node '{first.Name}' has no hidden_size");
        string direction = OnnxTensors.GetString(first, "direction") ?? "forward";
        // Sizes first: a hidden_size of 10⁹ would otherwise surface as a weight-shape mismatch or an overflow.
        OnnxSizeCheck.RequireRecurrenceFits(source, first.Name, hiddenSize, direction == "bidirectional" ? 2 : 1);
        int hidden = (int)hiddenSize;
        foreach (var node in lstmNodes)
        {
            if (OnnxTensors.GetInt(node, "layout") is long layout && layout != 0)
            {
                throw LstmThrow.ModelInvalid(source, $"LSTM node '{node.Name}' uses layout {layout} (batch-major), which ONNX Runtime's CPU LSTM rejects; export it with layout 0");
            }
            if ((OnnxTensors.GetString(node, "direction") ?? "forward") != direction || OnnxTensors.GetInt(node, "hidden_size") != hidden)
            {
                throw LstmThrow.ModelInvalid(source, $"LSTM node '{node.Name}' differs from '{first.Name}' in direction or hidden_size; every layer must match");
            }
        }
        if (direction is not ("forward" or "bidirectional"))
        {
            throw LstmThrow.ModelInvalid(source, $"LSTM node '{first.Name}' has direction '{direction}'; forward or bidirectional is supported");
        }

        int inputSize = OnnxLstmNodeCheck.Check(graph, lstmNodes, hidden, direction == "bidirectional" ? 2 : 1, source);

        OnnxLstmNodeCheck.CheckChain(graph, lstmNodes, source);
        var (input, states) = FindSequenceInput(graph, source);
        var dims = input.Type?.TensorType?.Shape?.Dim;
        if (input.Type?.TensorType is { } tensorType && tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw LstmThrow.ModelInvalid(source, $"its input '{input.Name}' holds element type {tensorType.ElemType}, not float");
        }
        long? fixedBatch = null, fixedSteps = null;
        if (dims is { Count: > 0 })
        {
            if (dims.Count != 3)
            {
                throw LstmThrow.ModelInvalid(source, $"its input '{input.Name}' has rank {dims.Count}; expected [batch, sequence, features]");
            }
            if (dims[2].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[2].DimValue != inputSize)
            {
                throw LstmThrow.ModelInvalid(source, $"its input '{input.Name}' has {dims[2].DimValue} features but its first LSTM expects {inputSize}");
            }
            fixedBatch = FixedDim(dims[0]);
            fixedSteps = FixedDim(dims[1]);
        }

        var output = graph.Output.FirstOrDefault() ?? throw LstmThrow.ModelInvalid(source, "its graph declares no output; expected at least one, the model's own output");
        int outputSize = StaticRowSize(output);
        long opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;
        var headInput = graph.Node.Any(n => n.OpType == "Concat" && n.Name == OnnxLstmGraphBuilder.HeadInputNodeName)
            ? LstmHeadInput.LastMeanMax : LstmHeadInput.LastStep;
        var (convLayers, convFeatureSize) = OnnxConvBranchReader.Find(graph, source);
        // Names alone do not make a PyTorch graph's node 'kernels0' or initializer 'features.scale' ours.
        bool ours = model.ProducerName == OnnxLstmGraphBuilder.Producer;
        var banks = ours ? OnnxKernelBankReader.Read(graph, ScaledInput(graph, input.Name), inputSize, source) : [];
        int featureSize = checked(3 * (direction == "bidirectional" ? 2 : 1) * hidden + convFeatureSize + banks.Sum(b => b.FeatureSize));
        float[]? FeatureConstant(string name) => !ours || OnnxTensors.Find(graph, name) is null ? null
            : OnnxKernelBankReader.Floats(graph, name, featureSize, "one per LastMeanMax feature: the LSTM's, the conv branch's and the kernel banks'", source);
        return new LstmGraphInfo(lstmNodes, input.Name, fixedBatch, fixedSteps, inputSize, hidden,
            direction == "bidirectional", output.Name, outputSize, opset,
            PerFeatureConstant(graph, "Sub", OnnxLstmGraphBuilder.InputOffsetName, inputSize, source),
            PerFeatureConstant(graph, "Mul", OnnxLstmGraphBuilder.InputScaleName, inputSize, source),
            PoolingStride(graph, source), headInput, source, states, Describe(output), convLayers, convFeatureSize, banks,
            FeatureConstant(OnnxLstmGraphBuilder.FeatureOffsetName), FeatureConstant(OnnxLstmGraphBuilder.FeatureScaleName));
    }

    /// <summary>Our scaling constant (F values) when a node of <paramref name="op"/> applies it to the input, else null.</summary>
    private static float[]? PerFeatureConstant(GraphProto graph, string op, string name, int inputSize, string source)
    {
        if (!graph.Node.Any(n => n.OpType == op && n.Input.Count == 2 && n.Input[1] == name) || OnnxTensors.Find(graph, name) is not { } tensor)
        {
            return null;
        }
        var values = OnnxTensors.ReadFloats(tensor, source);
        if (values.Length != inputSize)
        {
            throw LstmThrow.ModelInvalid(source, $"its input scaling tensor '{name}' holds {values.Length} values; expected {inputSize}, one per feature");
        }
        return values;
    }

    /// <summary>What our scaling nodes (Sub, then Mul) make of the graph's input; the input itself without them.</summary>
    private static string ScaledInput(GraphProto graph, string inputName)
    {
        string scaled = inputName;
        foreach (var (op, constant) in new[] { ("Sub", OnnxLstmGraphBuilder.InputOffsetName), ("Mul", OnnxLstmGraphBuilder.InputScaleName) })
        {
            if (graph.Node.FirstOrDefault(n => n.OpType == op && n.Input.Count == 2 && n.Input[0] == scaled && n.Input[1] == constant) is { Output.Count: > 0 } node)
            {
                scaled = node.Output[0];
            }
        }
        return scaled;
    }

    /// <summary>The stride of our pooling node over time, else 1.</summary>
    private static int PoolingStride(GraphProto graph, string source)
    {
        var pool = graph.Node.FirstOrDefault(n => n.OpType == "AveragePool" && n.Name == OnnxLstmGraphBuilder.PoolNodeName);
        if (pool is null)
        {
            return 1;
        }
        var strides = OnnxTensors.GetInts(pool, "strides");
        var kernel = OnnxTensors.GetInts(pool, "kernel_shape");
        if (strides is not { Count: 1 } || kernel is not { Count: 1 } || strides[0] != kernel[0] || strides[0] < 1 || strides[0] > int.MaxValue
            || OnnxTensors.GetInt(pool, "ceil_mode") != 1 || OnnxTensors.GetInts(pool, "pads") is not (null or [0, 0])
            || OnnxTensors.GetInt(pool, "count_include_pad") is not (null or 0) || OnnxTensors.GetString(pool, "auto_pad") is not (null or "" or "NOTSET"))
        {
            throw LstmThrow.ModelInvalid(source, $"its pooling node '{pool.Name}' must average windows of one size, kernel_shape equal to strides, ceil_mode 1, no pads");
        }
        return (int)strides[0];
    }

    /// <summary>
    /// The model's parameters in PyTorch layout; with <paramref name="withHead"/>, its head too,
    /// which must then be one Gemm producing the graph's output (or absent).
    /// </summary>
    public static LstmWeights ReadWeights(ModelProto model, LstmGraphInfo info, bool withHead)
    {
        var graph = model.Graph;
        OnnxLstmNodeCheck.CheckCarriedByWeights(graph, info.LstmNodes, info.Source);
        var convLayers = info.ConvLayers ?? [];
        var (convStride, convHalves) = OnnxConvBranchReader.CheckCarriedByWeights(graph, convLayers, info.KernelBanks?.Count ?? 0, info.InputSize, info.LstmNodes[0].Input[0],
            ScaledInput(graph, info.InputName), info.PoolingStride, info.Source);
        var (convChannels, convKernels) = OnnxConvBranchReader.Shapes(graph, convLayers, info.Source);
        var gemm = withHead ? ReadableHead(model, info) : null;
        if (gemm is not null)
        {
            OnnxLstmNodeCheck.CheckGemmCarriedByWeights(gemm, info.Source);
            if (convLayers.Count > 0)
            {
                OnnxConvBranchReader.CheckHeadReadsBranch(graph, gemm, info.Source);
            }
        }
        int headSize = gemm is null ? 0 : info.OutputSize;
        var weights = new LstmWeights(info.InputSize, info.HiddenSize, info.NumLayers, headSize, info.Bidirectional, convChannels, convKernels)
        {
            HeadInput = info.HeadInput,
            InputOffset = (float[]?)info.InputOffset?.Clone(),
            InputScale = (float[]?)info.InputScale?.Clone(),
            PoolingStride = info.PoolingStride,
            OwnConvPoolingStride = convStride == info.PoolingStride ? null : convStride,
            ConvHalves = convHalves,
            KernelBanks = Array.ConvertAll([.. info.KernelBanks ?? []], b => new LstmKernelBankWeights(b)),
            FeatureOffset = (float[]?)info.FeatureOffset?.Clone(),
            FeatureScale = (float[]?)info.FeatureScale?.Clone(),
        };
        for (int layer = 0; layer < info.NumLayers; layer++)
        {
            var node = info.LstmNodes[layer];
            float[] w = ConstantFloats(graph, node, 1, info.Source);
            float[] r = ConstantFloats(graph, node, 2, info.Source);
            float[]? b = node.Input.Count > 3 && node.Input[3].Length > 0 ? ConstantFloats(graph, node, 3, info.Source) : null;
            OnnxLstmWeightLayout.FromOnnx(w, r, b, weights, layer);
        }
        OnnxConvBranchReader.Read(graph, convLayers, weights, info.Source);
        if (gemm is not null)
        {
            float[] fcWeight = ConstantFloats(graph, gemm, 1, info.Source);
            int rows = headSize, cols = weights.HeadInputWidth;
            if (fcWeight.Length != (long)rows * cols)
            {
                throw LstmThrow.HeadNotReadable(info.Source, $"its Gemm '{gemm.Name}' holds {fcWeight.Length} weights; expected {rows} × {cols} for {rows} outputs of {cols} inputs");
            }
            if (OnnxTensors.GetInt(gemm, "transB") == 1)
            {
                fcWeight.CopyTo(weights.HeadWeight!, 0);
            }
            else
            {
                for (int o = 0; o < rows; o++)
                {
                    for (int k = 0; k < cols; k++)
                    {
                        weights.HeadWeight![o * cols + k] = fcWeight[k * rows + o];
                    }
                }
            }
            if (gemm.Input.Count > 2 && gemm.Input[2].Length > 0)
            {
                float[] fcBias = ConstantFloats(graph, gemm, 2, info.Source);
                if (fcBias.Length != rows)
                {
                    throw LstmThrow.HeadNotReadable(info.Source, $"its Gemm '{gemm.Name}' holds {fcBias.Length} biases; expected {rows}, one per output");
                }
                fcBias.CopyTo(weights.HeadBias!, 0);
            }
        }
        return weights;
    }

    private static float[] ConstantFloats(GraphProto graph, NodeProto node, int input, string source) =>
        OnnxTensors.ReadFloats(OnnxTensors.Find(graph, node.Input[input])
            ?? throw LstmThrow.HeadNotReadable(source, $"input '{node.Input[input]}' of node '{node.Name}' is not a constant tensor"), source);

    /// <summary>The one input the featurizer feeds, and the inputs that only carry initial LSTM states (run as zeros).</summary>
    private static (ValueInfoProto Input, IReadOnlyList<string> States) FindSequenceInput(GraphProto graph, string source)
    {
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        var states = inputs.Count > 1 ? inputs.Where(i => OnnxInitialStates.FeedsOnlyInitialStates(graph, i.Name)).ToList() : [];
        inputs.RemoveAll(states.Contains);
        if (inputs.Count != 1)
        {
            throw LstmThrow.ModelInvalid(source, $"it has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); the featurizer feeds exactly one sequence tensor [batch, sequence, features]");
        }
        foreach (var state in states)
        {
            OnnxInitialStates.CheckShape(state, source);
        }
        return (inputs[0], states.Select(s => s.Name).ToList());
    }

    /// <summary>A value's name and declared shape, as messages show it: 'output' [batch, sequence, 8].</summary>
    public static string Describe(ValueInfoProto value)
    {
        var dims = value.Type?.TensorType?.Shape?.Dim;
        string shape = dims is null ? "of undeclared shape"
            : $"[{string.Join(", ", dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam.Length > 0 ? d.DimParam : "?"))}]";
        return $"'{value.Name}' {shape}";
    }

    private static long? FixedDim(TensorShapeProto.Types.Dimension dim) =>
        dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue > 0 ? dim.DimValue : null;

    /// <summary>Whether the graph's head is one Gemm of constant weights producing its output, which <see cref="ReadWeights"/> reads.</summary>
    public static bool HasOneGemmHead(ModelProto model, LstmGraphInfo info) =>
        HeadNodes(model.Graph, info) is [{ OpType: "Gemm" } gemm]
        && gemm.Output.Count > 0 && gemm.Output[0] == info.OutputName && info.OutputSize > 0
        && gemm.Input.Count > 1 && OnnxTensors.Find(model.Graph, gemm.Input[1]) is not null;

    /// <summary>The Gemm and MatMul nodes after the top LSTM node (ONNX lists nodes in topological order).</summary>
    private static List<NodeProto> HeadNodes(GraphProto graph, LstmGraphInfo info) =>
        graph.Node.Skip(graph.Node.IndexOf(info.LstmNodes[^1]) + 1).Where(n => n.OpType is "Gemm" or "MatMul").ToList();

    /// <summary>The head's Gemm, or null when the graph has no Gemm or MatMul after its LSTM.</summary>
    private static NodeProto? ReadableHead(ModelProto model, LstmGraphInfo info)
    {
        var graph = model.Graph;
        var head = HeadNodes(graph, info);
        if (head.Count == 0)
        {
            return null;
        }
        if (!HasOneGemmHead(model, info))
        {
            int top = graph.Node.IndexOf(info.LstmNodes[^1]);
            var after = graph.Node.Skip(top + 1).Where(n => n.OpType is not ("Transpose" or "Reshape" or "Gather" or "Squeeze" or "Unsqueeze" or "Slice" or "Flatten"));
            throw LstmThrow.HeadNotReadable(info.Source, $"its head ({string.Join(", ", after.Select(n => $"{n.OpType} '{n.Name}'"))}) is not one Gemm of constant weights producing its output {info.OutputShape}");
        }
        return head[0];
    }

    private static int StaticRowSize(ValueInfoProto output)
    {
        var dims = output.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count < 2)
        {
            return 0;
        }
        long size = 1;
        for (int i = 1; i < dims.Count; i++)
        {
            if (FixedDim(dims[i]) is not long d)
            {
                return 0;
            }
            size *= d;
        }
        return checked((int)size);
    }
}

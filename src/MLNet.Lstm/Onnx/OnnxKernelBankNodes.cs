using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// The nodes of the kernel banks (<see cref="LstmWeights.KernelBanks"/>): the scaled input turned
/// channels-first [N, F, T]; per bank i a Conv <c>kernels{i}</c> (dilated, zero-padded to T steps),
/// for a bank that counts only the steps the padding did not reach a Slice of them (all T steps
/// when T leaves none), a Greater against its thresholds [K, c, 1], a Cast and a ReduceMean over
/// the steps: [N, K·c] proportions; the banks concatenated are <see cref="FeaturesName"/>. Only opset-11 operators. The builder adds
/// them and the reader compares a graph's nodes with them, so both share this one description.
/// </summary>
internal static class OnnxKernelBankNodes
{
    public const string FeaturesName = "kernel_features";
    public const string InputNodeName = "kernels_channels_first";

    public static string ConvName(int bank) => $"kernels{bank}";

    public static string WeightName(int bank) => $"kernels{bank}.weight";

    public static string ThresholdsName(int bank) => $"kernels{bank}.thresholds";

    /// <summary>The Slice that keeps the steps a bank counts; present only for a bank that is not <see cref="LstmKernelBankWeights.Padded"/>.</summary>
    public static string CountedName(int bank) => $"kernels{bank}_counted";

    /// <summary>Adds the banks' nodes and constants after the scaling; returns the features' name.</summary>
    public static string Add(GraphProto graph, LstmWeights weights, string scaled)
    {
        for (int i = 0; i < weights.KernelBanks.Count; i++)
        {
            var bank = weights.KernelBanks[i];
            graph.Initializer.Add(OnnxTensors.Float(WeightName(i), bank.Weight, bank.Kernels, bank.InputChannels, bank.KernelSize));
            graph.Initializer.Add(OnnxTensors.Float(ThresholdsName(i), bank.Thresholds, bank.Kernels, bank.ThresholdsPerKernel, 1));
        }
        var (nodes, constants) = Nodes(weights.KernelBanks, scaled);
        graph.Initializer.Add(constants);
        graph.Node.Add(nodes);
        return FeaturesName;
    }

    /// <summary>Every node of the banks, and their int64 constants; the float constants are the banks' own tensors.</summary>
    public static (NodeProto[] Nodes, TensorProto[] Constants) Nodes(IReadOnlyList<LstmKernelBankWeights> banks, string scaled)
    {
        var nodes = new List<NodeProto>();
        var constants = new List<TensorProto>
        {
            OnnxTensors.Int64("kernels_steps_axis", [2], 1),
            OnnxTensors.Int64("kernels_steps_axis_end", [3], 1),
            OnnxTensors.Int64("kernels_zero", [0], 1),
            OnnxTensors.Int64("kernels_split_shape", [0, 0, 1, -1], 4),
        };
        nodes.Add(OnnxTensors.Node("Transpose", InputNodeName, [scaled], [InputNodeName], OnnxTensors.Ints("perm", 0, 2, 1)));
        var features = new string[banks.Count];
        for (int i = 0; i < banks.Count; i++)
        {
            var bank = banks[i];
            string name = ConvName(i);
            long padding = (long)(bank.KernelSize / 2) * bank.Dilation;
            nodes.Add(OnnxTensors.Node("Conv", name, [InputNodeName, WeightName(i)], [$"{name}_out"],
                OnnxTensors.Ints("kernel_shape", bank.KernelSize), OnnxTensors.Ints("dilations", bank.Dilation), OnnxTensors.Ints("pads", padding, padding)));
            string counted = $"{name}_out";
            if (!bank.Padded)
            {
                constants.Add(OnnxTensors.Int64($"{name}.padding", [padding], 1));
                constants.Add(OnnxTensors.Int64($"{name}.span", [2 * padding], 1));
                nodes.Add(OnnxTensors.Node("Shape", $"{name}_shape", [counted], [$"{name}_shape"]));
                nodes.Add(OnnxTensors.Node("Slice", $"{name}_steps", [$"{name}_shape", "kernels_steps_axis", "kernels_steps_axis_end"], [$"{name}_steps"]));
                nodes.Add(OnnxTensors.Node("Greater", $"{name}_has_interior", [$"{name}_steps", $"{name}.span"], [$"{name}_has_interior"]));
                nodes.Add(OnnxTensors.Node("Where", $"{name}_first", [$"{name}_has_interior", $"{name}.padding", "kernels_zero"], [$"{name}_first"]));
                nodes.Add(OnnxTensors.Node("Sub", $"{name}_interior_end", [$"{name}_steps", $"{name}.padding"], [$"{name}_interior_end"]));
                nodes.Add(OnnxTensors.Node("Where", $"{name}_end", [$"{name}_has_interior", $"{name}_interior_end", $"{name}_steps"], [$"{name}_end"]));
                nodes.Add(OnnxTensors.Node("Slice", CountedName(i), [counted, $"{name}_first", $"{name}_end", "kernels_steps_axis"], [CountedName(i)]));
                counted = CountedName(i);
            }
            nodes.Add(OnnxTensors.Node("Reshape", $"{name}_split", [counted, "kernels_split_shape"], [$"{name}_split"]));
            nodes.Add(OnnxTensors.Node("Greater", $"{name}_above", [$"{name}_split", ThresholdsName(i)], [$"{name}_above"]));
            nodes.Add(OnnxTensors.Node("Cast", $"{name}_above_float", [$"{name}_above"], [$"{name}_above_float"], OnnxTensors.Int("to", (long)TensorProto.Types.DataType.Float)));
            nodes.Add(OnnxTensors.Node("ReduceMean", $"{name}_proportions", [$"{name}_above_float"], [$"{name}_proportions"], OnnxTensors.Ints("axes", 3), OnnxTensors.Int("keepdims", 0)));
            nodes.Add(OnnxTensors.Node("Flatten", $"{name}_features", [$"{name}_proportions"], [$"{name}_features"], OnnxTensors.Int("axis", 1)));
            features[i] = $"{name}_features";
        }
        nodes.Add(OnnxTensors.Node("Concat", FeaturesName, features, [FeaturesName], OnnxTensors.Int("axis", 1)));
        return ([.. nodes], [.. constants]);
    }
}

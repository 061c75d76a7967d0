using MLNet.Lstm.Onnx.Proto;
using static System.FormattableString;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Reads the kernel banks (<see cref="LstmWeights.KernelBanks"/>) back from a graph: each Conv
/// <c>kernels{i}</c> with its weight [K, F, taps] and thresholds [K, c, 1]. The graph's nodes and int64 constants must be exactly those
/// <see cref="OnnxKernelBankNodes"/> writes for what was read, so the weights compute what the graph does.
/// </summary>
internal static class OnnxKernelBankReader
{
    public static LstmKernelBankWeights[] Read(GraphProto graph, string scaledInput, int inputSize, string source)
    {
        var banks = new List<LstmKernelBankWeights>();
        for (int i = 0; graph.Node.FirstOrDefault(n => n.Name == OnnxKernelBankNodes.ConvName(i)) is { } conv; i++)
        {
            banks.Add(Bank(graph, conv, i, inputSize, source));
        }
        if (banks.Count == 0)
        {
            return [];
        }
        var (nodes, constants) = OnnxKernelBankNodes.Nodes(banks, scaledInput);
        foreach (var expected in nodes)
        {
            var found = graph.Node.Where(n => n.Name == expected.Name).ToList();
            if (found.Count != 1 || !found[0].Equals(expected))
            {
                throw LstmThrow.ModelInvalid(source, Invariant($"its kernel bank node '{expected.Name}' ({expected.OpType}) has {(found.Count == 0 ? "no node of that name" : found.Count > 1 ? "more than one node of that name" : "inputs or attributes")} other than MLNet.Lstm writes for the banks it read (their dilations, padding and thresholds)"));
            }
        }
        foreach (var expected in constants)
        {
            if (OnnxTensors.Find(graph, expected.Name) is not { } found || !found.Dims.Equals(expected.Dims)
                || OnnxTensors.ReadInt64s(found) is not { } values || !values.AsSpan().SequenceEqual(OnnxTensors.ReadInt64s(expected)))
            {
                throw LstmThrow.ModelInvalid(source, Invariant($"its kernel bank constant '{expected.Name}' holds values other than MLNet.Lstm writes"));
            }
        }
        return [.. banks];
    }

    private static LstmKernelBankWeights Bank(GraphProto graph, NodeProto conv, int i, int inputSize, string source)
    {
        var weight = OnnxTensors.Find(graph, OnnxKernelBankNodes.WeightName(i));
        var thresholds = OnnxTensors.Find(graph, OnnxKernelBankNodes.ThresholdsName(i));
        if (conv.OpType != "Conv" || weight is not { Dims: [> 0 and <= int.MaxValue, > 0 and <= int.MaxValue, > 0 and <= int.MaxValue] }
            || thresholds is not { Dims: [> 0 and <= int.MaxValue, > 0 and <= int.MaxValue, 1] } || thresholds.Dims[0] != weight.Dims[0]
            || OnnxTensors.GetInts(conv, "dilations") is not [> 0 and <= int.MaxValue])
        {
            throw LstmThrow.ModelInvalid(source, Invariant($"its kernel bank node '{conv.Name}' ({conv.OpType}) must be a Conv with one dilation, reading '{OnnxKernelBankNodes.WeightName(i)}' [kernels, channels, taps] beside '{OnnxKernelBankNodes.ThresholdsName(i)}' [kernels, thresholds, 1]"));
        }
        if (weight.Dims[1] != inputSize)
        {
            throw LstmThrow.ModelInvalid(source, Invariant($"its kernel bank '{OnnxKernelBankNodes.WeightName(i)}' reads {weight.Dims[1]} channel(s); expected {inputSize}, the input's features"));
        }
        LstmKernelBankWeights bank;
        try
        {
            bank = new LstmKernelBankWeights(inputSize, (int)weight.Dims[0], (int)weight.Dims[2], (int)OnnxTensors.GetInts(conv, "dilations")![0], (int)thresholds.Dims[1],
                padded: !graph.Node.Any(n => n.Name == OnnxKernelBankNodes.CountedName(i)));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw LstmThrow.ModelInvalid(source, Invariant($"its kernel bank '{conv.Name}' has a shape LstmKernelBankWeights refuses: {e.Message}"), e);
        }
        Floats(graph, weight.Name, bank.Weight.Length, "kernels × channels × taps", source).CopyTo(bank.Weight, 0);
        Floats(graph, thresholds.Name, bank.Thresholds.Length, "kernels × thresholds", source).CopyTo(bank.Thresholds, 0);
        return bank;
    }

    /// <summary>A float constant of <paramref name="count"/> finite values (<paramref name="what"/> says what they are, for messages).</summary>
    public static float[] Floats(GraphProto graph, string name, int count, string what, string source)
    {
        var tensor = OnnxTensors.Find(graph, name) ?? throw LstmThrow.ModelInvalid(source, Invariant($"'{name}' is not a constant tensor"));
        var values = OnnxTensors.ReadFloats(tensor, source);
        if (values.Length != count)
        {
            throw LstmThrow.ModelInvalid(source, Invariant($"its tensor '{name}' holds {values.Length} values; expected {count} ({what})"));
        }
        int index = FiniteValues.FirstNonFinite(values);
        if (index >= 0)
        {
            throw LstmThrow.ModelInvalid(source, Invariant($"its tensor '{name}' holds {values[index]} at index {index}; expected finite values"));
        }
        return values;
    }
}

using System.Runtime.InteropServices;
using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Refuses a graph whose parameters hold NaN or infinity. ONNX Runtime runs such a graph without
/// a word, and the LSTM's saturated gates turn the NaN into finite-looking features (a hidden
/// state of 0.99999), so the only place to catch it is when the model is read.
/// </summary>
internal static class OnnxParameterCheck
{
    // The nodes whose constant inputs are learned parameters: the LSTM, its head, the convolutional
    // branch and our input scaling. Other operators' constants (a mask of −∞, say) may be non-finite by design.
    private static readonly HashSet<string> ParameterReaders = ["LSTM", "Gemm", "MatMul", "Add", "Sub", "Mul", "Conv"];

    public static void RequireFinite(GraphProto graph, string source)
    {
        var tensors = new Dictionary<string, TensorProto>();
        foreach (var initializer in graph.Initializer)
        {
            tensors.TryAdd(initializer.Name, initializer);
        }
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1 && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
            {
                tensors.TryAdd(node.Output[0], value);
            }
        }
        var checkedNames = new HashSet<string>();
        foreach (var node in graph.Node)
        {
            if (!ParameterReaders.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx"))
            {
                continue;
            }
            foreach (string input in node.Input)
            {
                if (tensors.TryGetValue(input, out var tensor) && tensor.DataType == (int)TensorProto.Types.DataType.Float && checkedNames.Add(input))
                {
                    ReadOnlySpan<float> values = tensor.RawData.IsEmpty ? tensor.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span);
                    int index = FiniteValues.FirstNonFinite(values);
                    if (index >= 0)
                    {
                        throw LstmThrow.ParameterNotFinite(source, input, node.OpType, node.Name, index, values[index]);
                    }
                }
            }
        }
    }
}

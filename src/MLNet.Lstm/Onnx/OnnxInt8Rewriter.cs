using Google.Protobuf;
using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Rewrites every LSTM node of a graph into ONNX Runtime's int8 LSTM,
/// <c>com.microsoft.DynamicQuantizeLSTM</c>, as ONNX Runtime's own quantization tool does
/// (quantization/operators/lstm.py): W and R quantized per output channel, symmetric (zero
/// points 0) and transposed to [D, F, 4H] and [D, H, 4H]; their scales [D, 4H] join the node's
/// inputs after P. The float bias, states and sequence lengths are read as before.
/// </summary>
internal static class OnnxInt8Rewriter
{
    private const string MicrosoftDomain = "com.microsoft";
    private const int Input = 0, W = 1, R = 2, Optional = 3, InputsBeforeScales = 8;

    public static ModelProto Rewrite(ModelProto source, string origin)
    {
        var model = source.Clone();
        var graph = model.Graph;
        for (int n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            if (node.OpType != "LSTM" || node.Domain.Length > 0)
            {
                continue;
            }
            var inputs = node.Input.ToList();
            while (inputs.Count < InputsBeforeScales)
            {
                inputs.Add("");
            }
            var (wName, wScale) = Quantize(graph, node, inputs[W], "W", origin);
            var (rName, rScale) = Quantize(graph, node, inputs[R], "R", origin);
            var quantized = new NodeProto { OpType = "DynamicQuantizeLSTM", Domain = MicrosoftDomain, Name = node.Name + "_int8" };
            quantized.Input.Add(inputs[Input]);
            quantized.Input.Add(wName);
            quantized.Input.Add(rName);
            quantized.Input.AddRange(inputs.Skip(Optional).Take(InputsBeforeScales - Optional));
            quantized.Input.Add(wScale.Scale);
            quantized.Input.Add(wScale.ZeroPoint);
            quantized.Input.Add(rScale.Scale);
            quantized.Input.Add(rScale.ZeroPoint);
            quantized.Output.AddRange(node.Output);
            quantized.Attribute.AddRange(node.Attribute);
            graph.Node[n] = quantized;
        }
        // The fp32 weights the int8 nodes replaced are read by nothing now; ONNX Runtime would warn about each.
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet();
        for (int i = graph.Initializer.Count - 1; i >= 0; i--)
        {
            if (!read.Contains(graph.Initializer[i].Name))
            {
                graph.Initializer.RemoveAt(i);
            }
        }
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
        return model;
    }

    /// <summary>[D, 4H, K] floats → int8 [D, K, 4H] with one scale per (direction, output channel).</summary>
    private static (string Weights, (string Scale, string ZeroPoint) Scales) Quantize(GraphProto graph, NodeProto node, string name, string role, string origin)
    {
        var tensor = OnnxTensors.Find(graph, name);
        if (tensor is null || tensor.Dims.Count != 3)
        {
            throw LstmThrow.NotQuantizable(origin, node.Name, role, name);
        }
        int directions = checked((int)tensor.Dims[0]), channels = checked((int)tensor.Dims[1]), width = checked((int)tensor.Dims[2]);
        var values = OnnxTensors.ReadFloats(tensor, origin);
        var quantized = new sbyte[values.Length];
        var scales = new float[directions * channels];
        for (int d = 0; d < directions; d++)
        {
            for (int c = 0; c < channels; c++)
            {
                var row = values.AsSpan((d * channels + c) * width, width);
                float largest = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(row);
                // An all-zero channel keeps scale 1: its int8 zeros mean zero at any scale.
                float scale = largest > 0 ? largest / 127f : 1f;
                scales[d * channels + c] = scale;
                for (int k = 0; k < width; k++)
                {
                    quantized[(d * width + k) * channels + c] = (sbyte)Math.Clamp(MathF.Round(row[k] / scale), -127, 127);
                }
            }
        }
        string prefix = $"mlnet_{node.Name}_{role}";
        var weights = new TensorProto { Name = prefix + "_int8", DataType = (int)TensorProto.Types.DataType.Int8 };
        weights.Dims.AddRange([directions, width, channels]);
        weights.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(quantized.AsSpan()));
        var zeroPoints = new TensorProto { Name = prefix + "_zero_point", DataType = (int)TensorProto.Types.DataType.Int8 };
        zeroPoints.Dims.AddRange([directions, channels]);
        zeroPoints.RawData = ByteString.CopyFrom(new byte[directions * channels]);
        graph.Initializer.Add(weights);
        graph.Initializer.Add(OnnxTensors.Float(prefix + "_scale", scales, directions, channels));
        graph.Initializer.Add(zeroPoints);
        return (weights.Name, (prefix + "_scale", zeroPoints.Name));
    }
}

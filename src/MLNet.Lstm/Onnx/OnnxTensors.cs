using System.Runtime.InteropServices;
using Google.Protobuf;
using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>Creating and reading the ONNX protobuf pieces the graph code needs.</summary>
internal static class OnnxTensors
{
    public static TensorProto Float(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return tensor;
    }

    public static TensorProto Int64(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return tensor;
    }

    /// <summary>The values of a float tensor, from raw_data or float_data (both are legal ONNX).</summary>
    public static float[] ReadFloats(TensorProto tensor, string source)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw LstmThrow.TensorNotFloats(source, tensor.Name, $"holds element type {tensor.DataType}; expected {(int)TensorProto.Types.DataType.Float} (float)");
        }
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw LstmThrow.TensorNotFloats(source, tensor.Name, "keeps its data in an external file that was not loaded");
        }
        if (FloatCount(tensor) < 0)
        {
            throw LstmThrow.TensorNotFloats(source, tensor.Name, $"holds {tensor.RawData.Length} bytes of raw data, not a whole number of floats");
        }
        return tensor.RawData.IsEmpty ? [.. tensor.FloatData] : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    /// <summary>The values of an int64 tensor, from raw_data or int64_data (both are legal ONNX); null when it is not a whole int64 tensor held in the file.</summary>
    public static long[]? ReadInt64s(TensorProto tensor) =>
        tensor.DataType != (int)TensorProto.Types.DataType.Int64 || tensor.DataLocation == TensorProto.Types.DataLocation.External ? null
        : tensor.RawData.IsEmpty ? [.. tensor.Int64Data]
        : tensor.RawData.Length % sizeof(long) == 0 ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray()
        : null;

    /// <summary>The values a float tensor holds; −1 when its raw data is not a whole number of floats.</summary>
    public static long FloatCount(TensorProto tensor) =>
        tensor.RawData.IsEmpty ? tensor.FloatData.Count
        : tensor.RawData.Length % sizeof(float) == 0 ? tensor.RawData.Length / sizeof(float) : -1;

    /// <summary>An initializer, or the value of a Constant node, of the given name.</summary>
    public static TensorProto? Find(GraphProto graph, string name)
    {
        foreach (var initializer in graph.Initializer)
        {
            if (initializer.Name == name)
            {
                return initializer;
            }
        }
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1 && node.Output[0] == name)
            {
                return node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
            }
        }
        return null;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static NodeProto Node(string opType, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>A float tensor value with the given dimensions: a number is fixed, a string is symbolic.</summary>
    public static ValueInfoProto FloatValue(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static long? GetInt(NodeProto node, string attribute)
    {
        foreach (var a in node.Attribute)
        {
            if (a.Name == attribute)
            {
                return a.I;
            }
        }
        return null;
    }

    public static IReadOnlyList<long>? GetInts(NodeProto node, string attribute)
    {
        foreach (var a in node.Attribute)
        {
            if (a.Name == attribute)
            {
                return a.Ints;
            }
        }
        return null;
    }

    public static string? GetString(NodeProto node, string attribute)
    {
        foreach (var a in node.Attribute)
        {
            if (a.Name == attribute)
            {
                return a.S.ToStringUtf8();
            }
        }
        return null;
    }
}

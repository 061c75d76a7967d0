using Google.Protobuf;
using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Onnx;

/// <summary>
/// Tensors that ONNX keeps in external files (models over 2 GB, or exported that way). They
/// are read into the graph so it can be rewritten and handed to ONNX Runtime as bytes; a
/// location must stay inside the model's folder, so a model file cannot make us read elsewhere.
/// </summary>
internal static class OnnxExternalData
{
    public static void Load(ModelProto model, string modelPath)
    {
        string folder = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        foreach (var tensor in ExternalTensors(model))
        {
            string location = "", offsetText = "0", lengthText = "";
            foreach (var entry in tensor.ExternalData)
            {
                switch (entry.Key)
                {
                    case "location": location = entry.Value; break;
                    case "offset": offsetText = entry.Value; break;
                    case "length": lengthText = entry.Value; break;
                }
            }
            string file = Path.GetFullPath(Path.Combine(folder, location));
            if (location.Length == 0 || Path.IsPathRooted(location)
                || !file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw LstmThrow.ModelInvalid(modelPath, $"tensor '{tensor.Name}' refers to external data '{location}', which is outside the model's folder '{folder}'");
            }
            if (!File.Exists(file))
            {
                throw LstmThrow.ModelInvalid(modelPath, $"tensor '{tensor.Name}' refers to external data file '{location}', which does not exist");
            }
            using var stream = File.OpenRead(file);
            long offset = long.Parse(offsetText, System.Globalization.CultureInfo.InvariantCulture);
            long length = lengthText.Length > 0 ? long.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
            if (offset < 0 || length < 0 || offset + length > stream.Length)
            {
                throw LstmThrow.ModelInvalid(modelPath, $"tensor '{tensor.Name}' refers to bytes {offset}..{offset + length} of '{location}', which holds {stream.Length} bytes");
            }
            var bytes = new byte[length];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            tensor.RawData = ByteString.CopyFrom(bytes);
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }
    }

    public static void RejectExternal(ModelProto model, string source)
    {
        foreach (var tensor in ExternalTensors(model))
        {
            throw LstmThrow.ModelInvalid(source, $"tensor '{tensor.Name}' keeps its data in an external file; read the model with LstmModel.FromOnnx(path) so the file can be found");
        }
    }

    private static IEnumerable<TensorProto> ExternalTensors(ModelProto model)
    {
        if (model.Graph is null)
        {
            yield break;
        }
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                yield return tensor;
            }
        }
    }
}

using System.Globalization;
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
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        // Containment is judged on real paths: a name inside the folder may be a link that leaves it.
        string realFolder = RealPath(folder, modelPath);
        foreach (var tensor in ExternalTensors(model))
        {
            string? location = null, offsetText = null, lengthText = null;
            foreach (var entry in tensor.ExternalData)
            {
                switch (entry.Key)
                {
                    case "location": location = entry.Value; break;
                    case "offset": offsetText = entry.Value; break;
                    case "length": lengthText = entry.Value; break;
                }
            }
            if (string.IsNullOrEmpty(location))
            {
                throw LstmThrow.ExternalDataNoLocation(modelPath, tensor.Name);
            }
            string file = Path.GetFullPath(Path.Combine(folder, location));
            if (Path.IsPathRooted(location) || !IsInside(file, folder))
            {
                throw LstmThrow.ModelInvalid(modelPath, $"tensor '{tensor.Name}' refers to external data '{location}', which is outside the model's folder '{folder}'");
            }
            string realFile = RealPath(file, modelPath);
            if (!IsInside(realFile, realFolder))
            {
                throw LstmThrow.ExternalDataLinkLeavesFolder(modelPath, tensor.Name, location, realFile, realFolder);
            }
            if (!File.Exists(realFile))
            {
                throw LstmThrow.ModelInvalid(modelPath, $"tensor '{tensor.Name}' refers to external data file '{location}', which does not exist");
            }
            using var stream = File.OpenRead(realFile);
            long offset = offsetText is null ? 0 : ParseBytes(modelPath, tensor.Name, location, "offset", offsetText);
            long length = lengthText is null ? stream.Length - offset : ParseBytes(modelPath, tensor.Name, location, "length", lengthText);
            if (offset > stream.Length || length < 0 || length > stream.Length - offset || length > Array.MaxLength)
            {
                throw LstmThrow.ExternalDataOutOfFile(modelPath, tensor.Name, location, offsetText ?? "0", lengthText ?? "the rest", stream.Length);
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

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>A byte count as ONNX writes it: decimal digits only, so no sign, no blanks, no overflow.</summary>
    private static long ParseBytes(string modelPath, string tensor, string location, string key, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw LstmThrow.ExternalDataNotByteCount(modelPath, tensor, location, key, text);

    /// <summary>
    /// <paramref name="path"/> with every link along it followed, as the OS would when opening it
    /// (the POSIX realpath); parts that do not exist are kept as written.
    /// </summary>
    private static string RealPath(string path, string modelPath)
    {
        string full = Path.GetFullPath(path);
        string current = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        int links = 0;
        while (pending.TryPop(out var part))
        {
            string next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }
            if (++links > LstmDefaults.MaxLinksFollowed)
            {
                throw LstmThrow.ModelInvalid(modelPath, $"its path '{path}' goes through more than {LstmDefaults.MaxLinksFollowed} links");
            }
            // The target may itself hold links: push its parts back and walk them from its root.
            string resolved = Path.GetFullPath(target, current);
            current = Path.GetPathRoot(resolved)!;
            foreach (var targetPart in resolved[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(targetPart);
            }
        }
        return current;
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

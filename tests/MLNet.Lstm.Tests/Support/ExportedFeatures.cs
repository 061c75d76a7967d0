using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.Lstm.Tests.Support;

/// <summary>What an exported pipeline's "Features.output" gives in ONNX Runtime alone, row by row.</summary>
internal static class ExportedFeatures
{
    /// <param name="onnx">The pipeline ConvertToOnnx wrote.</param>
    /// <param name="rows">Its rows: their sequences feed "Sequence"; the Label and Id inputs get zeros, which the features do not read.</param>
    /// <param name="steps">Steps of every row.</param>
    public static float[][] Run(byte[] onnx, IReadOnlyList<SequenceRow> rows, int steps)
    {
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor<float>(rows.SelectMany(r => r.Sequence).ToArray(), [rows.Count, steps]);
        var inputs = session.InputMetadata.Keys.Select(name => name == "Sequence"
            ? NamedOnnxValue.CreateFromTensor(name, input)
            : session.InputMetadata[name].ElementDataType == TensorElementType.Bool
                ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>([rows.Count, 1]))
                : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>([rows.Count, 1]))).ToList();
        using var results = session.Run(inputs, ["Features.output"]);
        var values = results[0].AsTensor<float>().ToArray();
        return [.. values.Chunk(values.Length / rows.Count)];
    }
}

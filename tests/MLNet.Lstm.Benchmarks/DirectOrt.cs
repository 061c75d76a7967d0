using Microsoft.ML.OnnxRuntime;

namespace MLNet.Lstm.Benchmarks;

/// <summary>The floor any wrapper can reach: ONNX Runtime on prepared batches, nothing else.</summary>
internal static class DirectOrt
{
    private static readonly Dictionary<string, InferenceSession> Sessions = [];

    public static long Run(string graph, float[] values, int rows, int steps, int features, int batchSize)
    {
        if (!Sessions.TryGetValue(graph, out var session))
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = Environment.ProcessorCount,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            session = new InferenceSession(graph, options);
            Sessions[graph] = session;
        }
        int outputSize = (int)session.OutputMetadata[OnnxNames.Features].Dimensions[^1];
        var output = new float[batchSize * outputSize];
        string[] inputNames = [OnnxNames.Input], outputNames = [OnnxNames.Features];
        using var runOptions = new RunOptions();
        int rowLength = steps * features;
        for (int start = 0; start < rows; start += batchSize)
        {
            int count = Math.Min(batchSize, rows - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                values.AsMemory(start * rowLength, count * rowLength), [count, steps, features]);
            using var result = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                output.AsMemory(0, count * outputSize), [count, outputSize]);
            session.Run(runOptions, inputNames, [input], outputNames, [result]);
        }
        return rows;
    }
}

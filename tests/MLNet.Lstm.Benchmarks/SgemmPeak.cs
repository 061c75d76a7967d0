using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLNet.Lstm.Onnx;
using MLNet.Lstm.Onnx.Proto;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// This run's practical single-precision peak: ONNX Runtime's own MatMul (MLAS) on
/// 1024 × 1024 × 1024, every core, sampled between the other measurements so that it sees the
/// same machine they do (shared machines of this kind differ by 30 % from day to day). Training
/// and featurizing GFLOP/s are reported as fractions of the best sample.
/// </summary>
internal static class SgemmPeak
{
    private const int N = 1024;
    private static InferenceSession? _session;
    private static OrtValue[]? _inputs;
    private static OrtValue[]? _outputs;
    private static readonly RunOptions RunOptions = new();

    /// <summary>The best GFLOP/s seen so far.</summary>
    public static double Best { get; private set; }

    /// <summary>Samples seen so far.</summary>
    public static int Samples { get; private set; }

    /// <summary>Times <paramref name="runs"/> MatMuls (after one warm-up the first time) and keeps the best.</summary>
    public static void Sample(int runs = 2)
    {
        if (_session is null)
        {
            Create();
            _session!.Run(RunOptions, ["a", "b"], _inputs!, ["c"], _outputs!);
        }
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            _session!.Run(RunOptions, ["a", "b"], _inputs!, ["c"], _outputs!);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Best = Math.Max(Best, 2.0 * N * N * N / seconds / 1e9);
            Samples++;
        }
    }

    private static void Create()
    {
        var graph = new GraphProto { Name = "sgemm" };
        graph.Input.Add(OnnxTensors.FloatValue("a", N, N));
        graph.Input.Add(OnnxTensors.FloatValue("b", N, N));
        graph.Output.Add(OnnxTensors.FloatValue("c", N, N));
        graph.Node.Add(OnnxTensors.Node("MatMul", "matmul", ["a", "b"], ["c"]));
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model.ToByteArray(), options);
        var random = new Random(1);
        float[] Matrix() => [.. Enumerable.Range(0, N * N).Select(_ => (float)random.NextDouble() - 0.5f)];
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(Matrix(), [N, N]),
            OrtValue.CreateTensorValueFromMemory(Matrix(), [N, N]),
        ];
        _outputs = [OrtValue.CreateTensorValueFromMemory(new float[N * N], [N, N])];
    }
}

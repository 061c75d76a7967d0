using Microsoft.ML.OnnxRuntime;

namespace MLNet.Lstm.Runtime;

/// <summary>
/// Owns the ONNX Runtime session of one featurizer and runs it on batches: a batch tensor
/// [rows, steps, features] in, the representation [rows, size] out, both OrtValues over
/// caller-owned buffers (see <see cref="OrtTensorCache"/>) that ONNX Runtime reads and writes in place. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// is thread-safe, so cursors on several threads share one runner, each with its own buffers.
/// </summary>
internal sealed class LstmOnnxRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private volatile bool _disposed;
    private long _runs;

    public LstmOnnxRunner(LstmModel model, LstmFeaturizerOptions featurizerOptions)
    {
        var (onnx, size) = model.ToRepresentationGraph(featurizerOptions.Representation);
        OutputSize = size;
        InputSize = model.InputSize;
        using var options = LstmSessionOptions.Create(featurizerOptions);
        _session = new InferenceSession(onnx, options);
        _inputNames = [model.Graph.InputName];
        _outputNames = [Onnx.OnnxRepresentationRewriter.FeaturesName];
    }

    /// <summary>Features per step (F).</summary>
    public int InputSize { get; }

    /// <summary>Values per row of the representation.</summary>
    public int OutputSize { get; }

    /// <summary>ONNX Runtime calls so far: how batching is seen from outside (diagnostics, tests).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>
    /// Runs one batch: <paramref name="input"/> holds one tensor [rows, steps, features],
    /// <paramref name="output"/> one tensor [rows, size] that ONNX Runtime fills.
    /// </summary>
    public void Run(OrtValue[] input, OrtValue[] output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _session.Run(_runOptions, _inputNames, input, _outputNames, output);
        Interlocked.Increment(ref _runs);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _session.Dispose();
        _runOptions.Dispose();
    }
}

using Microsoft.ML.OnnxRuntime;

namespace MLNet.Lstm.Runtime;

/// <summary>
/// Owns the ONNX Runtime session of one featurizer and runs it on batches: a batch tensor
/// [rows, steps, features] in, the representation [rows, size] out, both OrtValues over
/// caller-owned buffers (see <see cref="OrtTensorCache"/>) that ONNX Runtime reads and writes in place. <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// is thread-safe, so cursors on several threads share one runner, each with its own buffers.
/// </summary>
/// <remarks>
/// The session is reference-counted: the transformer holds one reference and every batch one
/// <see cref="RunnerLease"/>. <see cref="Dispose"/> drops the transformer's reference and refuses
/// new leases; the session is freed when the last lease goes, so a cursor or PredictionEngine
/// that started before <see cref="Dispose"/> can never find it freed in the middle of a call.
/// </remarks>
internal sealed class LstmOnnxRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly Lock _gate = new();
    private int _users = 1;
    private bool _closed;
    private long _runs;
    private long _largestCallSteps;

    public LstmOnnxRunner(LstmRunSpec spec)
    {
        OutputSize = spec.OutputSize;
        InputSize = spec.InputSize;
        using var options = LstmSessionOptions.Create(spec);
        _session = new InferenceSession(spec.Onnx, options);
        _inputNames = [spec.InputName];
        _outputNames = [spec.OutputName];
    }

    /// <summary>Features per step (F).</summary>
    public int InputSize { get; }

    /// <summary>Values per row of the representation.</summary>
    public int OutputSize { get; }

    /// <summary>ONNX Runtime calls so far: how batching is seen from outside (diagnostics, tests).</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>The most rows × steps one call has taken: what a call's memory grows with (diagnostics, tests).</summary>
    public long LargestCallSteps => Interlocked.Read(ref _largestCallSteps);

    /// <summary>True once the session is freed: the transformer is disposed and every lease released.</summary>
    public bool SessionReleased
    {
        get
        {
            lock (_gate)
            {
                return _users == 0;
            }
        }
    }

    /// <summary>A reference for one user of the session; throws <see cref="ObjectDisposedException"/> once the transformer is disposed.</summary>
    public RunnerLease Lease()
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw LstmThrow.TransformerDisposed();
            }
            _users++;
        }
        return new RunnerLease(this);
    }

    /// <summary>
    /// Runs one batch of <paramref name="rows"/> rows of <paramref name="steps"/> steps:
    /// <paramref name="input"/> holds one tensor [rows, steps, features], <paramref name="output"/>
    /// one tensor [rows, size] that ONNX Runtime fills. The caller holds a <see cref="RunnerLease"/>.
    /// </summary>
    public void Run(OrtValue[] input, OrtValue[] output, int rows, int steps)
    {
        _session.Run(_runOptions, _inputNames, input, _outputNames, output);
        Interlocked.Increment(ref _runs);
        long callSteps = (long)rows * steps;
        long largest = Interlocked.Read(ref _largestCallSteps);
        while (callSteps > largest)
        {
            long seen = Interlocked.CompareExchange(ref _largestCallSteps, callSteps, largest);
            if (seen == largest)
            {
                break;
            }
            largest = seen;
        }
    }

    /// <summary>Drops the transformer's reference: no new lease, and the session goes with the last one.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
        }
        Release();
    }

    /// <summary>Drops one reference; the last frees the session. Called by <see cref="RunnerLease"/>, possibly on the finalizer thread.</summary>
    internal void Release()
    {
        bool last;
        lock (_gate)
        {
            last = --_users == 0;
        }
        if (last)
        {
            _session.Dispose();
            _runOptions.Dispose();
        }
    }
}

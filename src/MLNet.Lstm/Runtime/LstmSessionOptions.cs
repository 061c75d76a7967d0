using Microsoft.ML.OnnxRuntime;

namespace MLNet.Lstm.Runtime;

/// <summary>ONNX Runtime session settings from the run's description: threads, and the GPU when one is asked for.</summary>
internal static class LstmSessionOptions
{
    public static SessionOptions Create(LstmRunSpec options)
    {
        var session = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpNumThreads ?? LstmDefaults.IntraOpNumThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (options.GpuDeviceId is int deviceId)
        {
            try
            {
                session.AppendExecutionProvider_CUDA(deviceId);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                if (!options.FallbackToCpu)
                {
                    session.Dispose();
                    throw LstmThrow.GpuUnavailable(deviceId, e);
                }
            }
        }
        return session;
    }
}

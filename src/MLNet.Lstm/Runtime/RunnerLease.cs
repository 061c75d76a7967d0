namespace MLNet.Lstm.Runtime;

/// <summary>
/// One user's reference to an <see cref="LstmOnnxRunner"/>: the session stays alive while any
/// lease is held. A lease that is never disposed (its cursor was abandoned) is released by its
/// finalizer, so an abandoned cursor never keeps a disposed transformer's session for ever. It
/// holds nothing but the runner, so finalizing it is cheap and safe on the finalizer thread.
/// </summary>
internal sealed class RunnerLease : IDisposable
{
    private LstmOnnxRunner? _runner;

    public RunnerLease(LstmOnnxRunner runner) => _runner = runner;

    ~RunnerLease() => Release();

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release() => Interlocked.Exchange(ref _runner, null)?.Release();
}

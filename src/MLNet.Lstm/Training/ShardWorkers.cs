using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MLNet.Lstm.Training;

/// <summary>
/// Runs one body per shard, shard 0 on the calling thread and the others on threads of their
/// own that live as long as this object. A training step lasts milliseconds and steps follow
/// each other within a fraction of one, so waking thread-pool workers for every step
/// (Parallel.For) cost 10–20 % of an epoch on a 2-core machine: here a worker spins briefly
/// for the next step before it blocks, and the caller spins briefly for the workers. Errors
/// are rethrown on the caller after every shard has finished, the lowest shard's first.
/// </summary>
internal sealed class ShardWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _wake;
    private readonly ManualResetEventSlim _done = new(false);
    private readonly ExceptionDispatchInfo?[] _errors;
    private Action<int>? _body;
    private int _active;
    private int _generation;
    private int _pending;
    private volatile bool _disposed;

    public ShardWorkers(int shards)
    {
        _errors = new ExceptionDispatchInfo?[shards];
        _wake = new ManualResetEventSlim[shards - 1];
        _threads = new Thread[shards - 1];
        for (int w = 0; w < _threads.Length; w++)
        {
            _wake[w] = new ManualResetEventSlim(false);
            int shard = w + 1;
            _threads[w] = new Thread(() => Work(shard)) { IsBackground = true, Name = $"MLNet.Lstm training shard {shard}" };
            _threads[w].Start();
        }
    }

    /// <summary>Runs <paramref name="body"/>(0 … <paramref name="shards"/> − 1) and returns when all have finished.</summary>
    public void Run(int shards, Action<int> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _body = body;
        _active = shards;
        Array.Clear(_errors);
        Volatile.Write(ref _pending, _threads.Length);
        Interlocked.Increment(ref _generation);
        foreach (var wake in _wake)
        {
            wake.Set();
        }
        try
        {
            body(0);
        }
        catch (Exception e)
        {
            _errors[0] = ExceptionDispatchInfo.Capture(e);
        }
        WaitUntil(() => Volatile.Read(ref _pending) == 0, _done);
        _body = null;
        foreach (var error in _errors)
        {
            error?.Throw();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Interlocked.Increment(ref _generation);
        foreach (var wake in _wake)
        {
            wake.Set();
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        foreach (var wake in _wake)
        {
            wake.Dispose();
        }
        _done.Dispose();
    }

    private void Work(int shard)
    {
        var wake = _wake[shard - 1];
        int seen = 0;
        while (true)
        {
            WaitUntil(() => Volatile.Read(ref _generation) != seen, wake);
            seen = Volatile.Read(ref _generation);
            if (_disposed)
            {
                return;
            }
            try
            {
                if (shard < _active)
                {
                    _body!(shard);
                }
            }
            catch (Exception e)
            {
                _errors[shard] = ExceptionDispatchInfo.Capture(e);
            }
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.Set();
            }
        }
    }

    /// <summary>
    /// Spins on <paramref name="condition"/> for <see cref="LstmDefaults.ShardSpinTicks"/>, then blocks on
    /// <paramref name="signal"/>. The signal is reset before the condition is read again, and
    /// whoever makes the condition true sets it afterwards, so no wake-up is lost.
    /// </summary>
    private static void WaitUntil(Func<bool> condition, ManualResetEventSlim signal)
    {
        long start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() - start < LstmDefaults.ShardSpinTicks)
            {
                // Yields now and then, so threads that share the cores (several trainers at once) still get them.
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            signal.Reset();
            if (!condition())
            {
                signal.Wait();
            }
        }
    }
}

using System.Collections.Concurrent;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// Batches (pinned buffers and their OrtValues) kept between cursors: ML.NET trainers read
/// their input many times, and a new cursor then reuses a batch instead of allocating one.
/// Owned by the transformer, which disposes the pooled batches with it.
/// </summary>
internal sealed class SequenceBatchPool(LstmOnnxRunner runner) : IDisposable
{
    private readonly ConcurrentBag<SequenceBatch> _idle = [];
    private volatile bool _disposed;

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the transformer is disposed, even for cursors that rent nothing.</summary>
    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, runner);

    public SequenceBatch Rent(int capacity, int stepsHint)
    {
        ThrowIfDisposed();
        while (_idle.TryTake(out var batch))
        {
            if (batch.Capacity == capacity)
            {
                batch.Clear();
                return batch;
            }
            batch.Dispose();
        }
        return new SequenceBatch(runner, capacity, stepsHint);
    }

    public void Return(SequenceBatch batch)
    {
        _idle.Add(batch);
        if (_disposed && _idle.TryTake(out var late))
        {
            late.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var batch))
        {
            batch.Dispose();
        }
    }
}

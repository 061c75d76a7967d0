namespace MLNet.Lstm.Runtime;

/// <summary>
/// Batches (pinned buffers, their OrtValues and their lease on the session) kept between
/// cursors: ML.NET trainers read their input many times, and a new cursor then reuses a batch
/// instead of allocating one. Owned by the transformer: once it is disposed no batch is rented,
/// idle batches are freed, and batches still out are freed when their cursor returns them.
/// The pool knows only idle batches, so an abandoned cursor's batch is garbage like any other.
/// </summary>
internal sealed class SequenceBatchPool(LstmOnnxRunner runner) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Stack<SequenceBatch> _idle = new();
    private bool _disposed;

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the transformer is disposed, even for cursors that rent nothing.</summary>
    public void ThrowIfDisposed()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                throw LstmThrow.TransformerDisposed();
            }
        }
    }

    public SequenceBatch Rent(int capacity, int stepsHint)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                throw LstmThrow.TransformerDisposed();
            }
            while (_idle.TryPop(out var batch))
            {
                if (batch.Capacity == capacity)
                {
                    batch.Clear();
                    return batch;
                }
                batch.Dispose();
            }
        }
        // The new batch's lease throws if the transformer was disposed since.
        return new SequenceBatch(runner, capacity, stepsHint);
    }

    public void Return(SequenceBatch batch)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _idle.Push(batch);
                return;
            }
        }
        batch.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            while (_idle.TryPop(out var batch))
            {
                batch.Dispose();
            }
        }
    }
}

namespace MLNet.Lstm.Data;

/// <summary>
/// Decides, for one input view of a featurizer, whether and when its output is cached. ML.NET
/// trainers read their input many times; without <c>AppendCacheCheckpoint</c> after the featurizer
/// each pass would run the LSTM again. But most reads are one pass (scoring, evaluation, a
/// preview), and a cache they never read is pure cost. So the cache fills only once a second pass
/// begins: a cursor that computes the representation after one has read the source to its end
/// fills a <see cref="CachedOutput"/> as it goes, and once it has read the source to the end, later
/// cursors read the cache. A multi-pass trainer thus runs the LSTM twice, never more; a one-pass
/// reader pays nothing. One cursor fills at a time, so there is never more than one cache; a cursor
/// disposed before the end (or never disposed, once it is collected) leaves nothing behind, and the
/// next one starts over. Output larger than the budget is not cached, and one warning says so:
/// never a silent slow path.
/// </summary>
internal sealed class OutputCache(long budgetBytes, int outputSize, long? rowCount, Action<string> warn)
{
    private readonly Lock _gate = new();
    private readonly long _budgetBytes = budgetBytes;
    private readonly long _bytesPerRow = CachedOutput.BytesPerRow(outputSize);
    private CachedOutput? _complete;
    private bool _passCompleted;
    private bool _filling;
    private bool _refused;

    /// <summary>
    /// Every row's output, once a filling cursor has read the whole view; null until then, and
    /// null again once the cache is refused.
    /// </summary>
    public CachedOutput? Complete => Volatile.Read(ref _complete);

    /// <summary>
    /// A fill for a cursor about to compute the representation; null when the cache is off,
    /// complete or refused, while another cursor fills it, or before any cursor has read the
    /// source to its end: the cursor then only computes.
    /// </summary>
    public Fill? TryStartFill()
    {
        long tooMany;
        lock (_gate)
        {
            if (_budgetBytes == 0 || !_passCompleted || _complete is not null || _refused || _filling)
            {
                return null;
            }
            if (rowCount is not long rows || rows * _bytesPerRow <= _budgetBytes)
            {
                _filling = true;
                return new Fill(this, new CachedOutput(outputSize));
            }
            // The source knows its row count: refuse before copying a row rather than after filling the budget.
            _refused = true;
            tooMany = rows;
        }
        warn(LstmThrow.OutputCacheTooLarge(tooMany, atLeast: false, _bytesPerRow, _budgetBytes));
        return null;
    }

    /// <summary>A cursor that did not fill read the source to its end: the next pass may fill.</summary>
    public void PassCompleted()
    {
        lock (_gate)
        {
            _passCompleted = true;
        }
    }

    /// <summary>
    /// The complete cache's rows cannot be found by id (two share one): it is dropped, one warning
    /// says why, and every later pass runs the LSTM.
    /// </summary>
    public void RefuseDuplicateIds()
    {
        lock (_gate)
        {
            if (_refused)
            {
                return;
            }
            _refused = true;
            Volatile.Write(ref _complete, null);
        }
        warn(LstmThrow.OutputCacheDuplicateRowId());
    }

    private void Publish(CachedOutput output)
    {
        lock (_gate)
        {
            _filling = false;
            Volatile.Write(ref _complete, output);
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _filling = false;
        }
    }

    private void Refuse(string warning)
    {
        lock (_gate)
        {
            _filling = false;
            _refused = true;
        }
        warn(warning);
    }

    /// <summary>
    /// One cursor's pass filling the cache: its rows as their batches are run, then the end of the
    /// pass or its abandonment. A cursor that is never disposed abandons its fill when the fill is
    /// finalized, so the next cursor may fill the cache.
    /// </summary>
    public sealed class Fill(OutputCache cache, CachedOutput output)
    {
        // Null once the fill is published, released or refused: later calls do nothing.
        private CachedOutput? _output = output;

        ~Fill() => Abandon();

        /// <summary>Whether the cache still takes <paramref name="rows"/> more rows; refuses the whole fill, with a warning, when it does not.</summary>
        public bool Reserve(int rows)
        {
            if (_output is null)
            {
                return false;
            }
            long total = _output.Count + (long)rows;
            if (total * cache._bytesPerRow <= cache._budgetBytes)
            {
                return true;
            }
            End();
            // The first row past the budget: the data has at least that many.
            long first = cache._budgetBytes / cache._bytesPerRow + 1;
            cache.Refuse(LstmThrow.OutputCacheTooLarge(first, atLeast: true, cache._bytesPerRow, cache._budgetBytes));
            return false;
        }

        /// <summary>Appends a row reserved by <see cref="Reserve"/>.</summary>
        public void Add(Microsoft.ML.Data.DataViewRowId id, ReadOnlySpan<float> values) => _output!.Add(id, values);

        /// <summary>The cursor has read the source to its end: every row is in.</summary>
        public void Complete()
        {
            if (_output is not null)
            {
                cache.Publish(_output);
                End();
            }
        }

        /// <summary>The cursor is disposed: a fill that did not reach the end is dropped, and the next cursor may fill.</summary>
        public void Abandon()
        {
            if (_output is not null)
            {
                End();
                cache.Release();
            }
        }

        private void End()
        {
            _output = null;
            GC.SuppressFinalize(this);
        }
    }
}

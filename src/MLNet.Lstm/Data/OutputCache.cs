using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Decides, for one transformed view, whether and when its output is cached. ML.NET trainers read
/// their input many times; without <c>AppendCacheCheckpoint</c> after the featurizer each pass
/// would run the LSTM again. So the first cursor that computes the representation fills a
/// <see cref="CachedOutput"/> as it goes, and once it has read the source to the end, later cursors
/// read the cache. One cursor fills at a time, so there is never more than one cache; a cursor
/// disposed before the end (or never disposed, once it is collected) leaves nothing behind, and the next one starts over. Output larger
/// than the budget is not cached, and one warning says so: never a silent slow path.
/// </summary>
internal sealed class OutputCache(long budgetBytes, int outputSize, long? rowCount, Action<string> warn)
{
    private readonly Lock _gate = new();
    private readonly long _budgetBytes = budgetBytes;
    private readonly long _bytesPerRow = CachedOutput.BytesPerRow(outputSize);
    private CachedOutput? _complete;
    private bool _filling;
    private bool _refused;

    /// <summary>Every row's output, once a cursor has read the whole view; null until then.</summary>
    public CachedOutput? Complete => Volatile.Read(ref _complete);

    /// <summary>
    /// A fill for a cursor about to compute the representation; null when the cache is off,
    /// complete or refused, or while another cursor fills it: the cursor then only computes.
    /// </summary>
    public Fill? TryStartFill()
    {
        long tooMany;
        lock (_gate)
        {
            if (_budgetBytes == 0 || _complete is not null || _refused || _filling)
            {
                return null;
            }
            if (rowCount is not long rows || rows * _bytesPerRow <= _budgetBytes)
            {
                _filling = true;
                return new Fill(this, new CachedOutput(outputSize, rowCount));
            }
            // The source knows its row count: refuse before running a row rather than after filling the budget.
            _refused = true;
            tooMany = rows;
        }
        warn(TooLarge(tooMany, atLeast: false));
        return null;
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

    private string TooLarge(long rows, bool atLeast) =>
        $"The LSTM featurizer's output ({(atLeast ? "at least " : "")}{rows:N0} rows × {_bytesPerRow:N0} bytes = {Size(rows * _bytesPerRow)}) " +
        $"is larger than LstmFeaturizerOptions.OutputCacheBytes ({Size(_budgetBytes)}), so it is not cached: every further pass over this data runs the LSTM again. " +
        "If a trainer reads it (most make many passes), append AppendCacheCheckpoint(mlContext) right after the featurizer, or raise OutputCacheBytes.";

    private static string DuplicateRowId() =>
        "Two rows of this data have the same row id, so the LSTM featurizer's output cannot be cached by row: every further pass over this data runs the LSTM again. " +
        "If a trainer reads it (most make many passes), append AppendCacheCheckpoint(mlContext) right after the featurizer.";

    private static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):F1} MB" : $"{bytes:N0} bytes";

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

        public void Add(DataViewRowId id, ReadOnlySpan<float> values)
        {
            if (_output is null)
            {
                return;
            }
            long rows = _output.Count + 1L;
            if (rows * cache._bytesPerRow > cache._budgetBytes)
            {
                End();
                cache.Refuse(cache.TooLarge(rows, atLeast: true));
            }
            else if (!_output.TryAdd(id, values))
            {
                End();
                cache.Refuse(DuplicateRowId());
            }
        }

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

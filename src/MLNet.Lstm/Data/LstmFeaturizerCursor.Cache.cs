using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The cursor and the <see cref="OutputCache"/>: a computing cursor tells the cache when it has
/// read the whole source, and a filling one hands it every batch; a cached cursor finds each
/// row's representation by its position, or by its id when the rows come in another order.
/// </summary>
internal sealed partial class LstmFeaturizerCursor
{
    private readonly OutputCache? _cache;
    private readonly CachedOutput? _cached;
    private readonly ValueGetter<DataViewRowId>? _cachedId;
    private OutputCache.Fill? _fill;
    private DataViewRowId _id;
    private int _cachedRow = -1;

    private LstmFeaturizerCursor(DataViewRowCursor source, SequenceInputBinding binding, CachedOutput cached)
        : this(source, binding)
    {
        _cached = cached;
        _cachedId = source.GetIdGetter();
        _moveNext = MoveNextCached;
    }

    private bool MoveNextCached()
    {
        if (!_source.MoveNext())
        {
            return false;
        }
        _cachedId!(ref _id);
        if (!_cached!.TryFind(_source.Position, _id, out _cachedRow))
        {
            throw LstmThrow.RowNotCached(_source.Position);
        }
        return true;
    }

    /// <summary>Hands a run batch to the filling pass; once the source has ended, the pass is complete.</summary>
    private void HandOver(bool sourceEnded)
    {
        var batch = _batch!;
        if (_fill is not null && batch.Count > 0 && _fill.Reserve(batch.Count))
        {
            for (int slot = 0; slot < batch.Count; slot++)
            {
                _fill.Add(_ids[slot], batch.Output(slot));
            }
        }
        if (!sourceEnded)
        {
            return;
        }
        if (_fill is not null)
        {
            _fill.Complete();
            _fill = null;
        }
        else
        {
            _cache!.PassCompleted();
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// The featurizer's cursor, the one a row takes from <c>Transform</c> to ONNX Runtime and back.
/// It serves the output schema in one of three ways, chosen when it is created:
/// <list type="bullet">
/// <item>computed (<c>LstmFeaturizerCursor.Batch.cs</c>): pulls up to a batch of rows, copies
/// their sequences into a <see cref="SequenceBatch"/>, runs ONNX Runtime once for the batch, then
/// serves the rows one by one; a filling pass hands each batch to the cache (<c>LstmFeaturizerCursor.Cache.cs</c>);</item>
/// <item>cached: the source's rows as the source gives them, each row's representation from the <see cref="CachedOutput"/>;</item>
/// <item>pass-through: the representation is not read, so the source's rows as they are.</item>
/// </list>
/// </summary>
internal sealed partial class LstmFeaturizerCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly SequenceInputBinding _binding;
    private readonly Func<bool> _moveNext;
    private bool _disposed;

    /// <summary>A cursor that computes the representation, and fills <paramref name="cache"/> when the cache wants this pass.</summary>
    public static LstmFeaturizerCursor Computed(DataViewRowCursor source, SequenceInputBinding binding, SequenceBatchPool pool, bool[] active, OutputCache cache) =>
        new(source, binding, pool, active, cache);

    /// <summary>A cursor that reads the representation from <paramref name="cached"/>.</summary>
    public static LstmFeaturizerCursor Cached(DataViewRowCursor source, SequenceInputBinding binding, CachedOutput cached) => new(source, binding, cached);

    /// <summary>A cursor whose reader does not ask for the representation.</summary>
    public static LstmFeaturizerCursor PassThrough(DataViewRowCursor source, SequenceInputBinding binding) => new(source, binding);

    private LstmFeaturizerCursor(DataViewRowCursor source, SequenceInputBinding binding)
    {
        _source = source;
        _binding = binding;
        _moveNext = source.MoveNext;
    }

    public override DataViewSchema Schema => _binding.OutputSchema;

    public override long Position => _batch is null ? _source.Position : _position;

    public override long Batch => _batch is null ? _source.Batch : 0;

    public override bool MoveNext() => _moveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => _batch is null ? _source.GetIdGetter() : GetBufferedId;

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        if (column.Index == _binding.OutputColumnIndex)
        {
            return _batch is not null || _cached is not null;
        }
        return _batch is null ? _source.IsColumnActive(_source.Schema[column.Index]) : _buffers[column.Index] is not null;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != _binding.OutputColumnIndex)
        {
            return _batch is null ? _source.GetGetter<TValue>(_source.Schema[column.Index]) : BufferedGetter<TValue>(column);
        }
        if (_batch is null && _cached is null)
        {
            throw LstmThrow.ColumnNotActive(column.Name, "cursor");
        }
        return (ValueGetter<VBuffer<float>>)GetFeatures as ValueGetter<TValue>
            ?? throw LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name);
    }

    /// <summary>Writes a row's representation into a getter's buffer: the one copy on the way out, for every cursor and the row mapper.</summary>
    public static void WriteFeatures(ReadOnlySpan<float> values, ref VBuffer<float> features)
    {
        var editor = VBufferEditor.Create(ref features, values.Length);
        values.CopyTo(editor.Values);
        features = editor.Commit();
    }

    protected override void Dispose(bool disposing)
    {
        // Dispose may be called twice (DataViewRowCursor does not guard it): a batch returned twice would be rented by two cursors at once.
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (disposing)
        {
            _fill?.Abandon();
            _source.Dispose();
            if (_batch is not null)
            {
                _pool!.Return(_batch);
            }
        }
        base.Dispose(disposing);
    }

    private void GetFeatures(ref VBuffer<float> features) =>
        WriteFeatures(_batch is null ? _cached!.Values(_cachedRow) : _batch.Output(_slot), ref features);
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// The featurizer's cursor: pulls up to a batch of rows from the source, copies their
/// sequences into one batch tensor, runs ONNX Runtime once for the batch, then serves the rows
/// one by one — their representation from the output buffer, their other columns from
/// <see cref="ColumnBuffer"/>s. The first such cursor of a view also fills its
/// <see cref="OutputCache"/> with every batch's output.
/// </summary>
internal sealed class LstmFeaturizerCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly SequenceInputBinding _binding;
    private readonly SequenceRowReader _reader;
    private readonly SequenceBatch _batch;
    private readonly SequenceBatchPool _pool;
    private readonly ValueGetter<DataViewRowId> _sourceId;
    private readonly ColumnBuffer?[] _buffers;
    private readonly Delegate?[] _getters;
    private readonly DataViewRowId[] _ids;
    private OutputCache.Fill? _fill;
    private bool _rowPending;
    private int _pendingSteps;
    private int _slot;
    private long _position = -1;

    public LstmFeaturizerCursor(DataViewRowCursor source, SequenceInputBinding binding, SequenceBatchPool pool, Func<int, bool> isActive, OutputCache cache)
    {
        int batchSize = binding.BatchSize;
        _source = source;
        _binding = binding;
        _reader = binding.CreateReader(source);
        _pool = pool;
        _batch = pool.Rent(batchSize, binding.MaxSteps ?? 0);
        _batch.CallSteps = binding.CallSteps;
        _sourceId = source.GetIdGetter();
        _ids = new DataViewRowId[batchSize];

        var inputSchema = binding.InputSchema;
        _buffers = new ColumnBuffer?[inputSchema.Count];
        _getters = new Delegate?[inputSchema.Count + 1];
        Func<int> currentSlot = () => _slot;
        for (int i = 0; i < inputSchema.Count; i++)
        {
            if (isActive(i))
            {
                _buffers[i] = ColumnBuffer.Create(source, inputSchema[i], batchSize);
                _getters[i] = _buffers[i]!.CreateGetter(currentSlot);
            }
        }
        _getters[inputSchema.Count] = (ValueGetter<VBuffer<float>>)GetFeatures;
        // Last, so that a constructor that throws never holds the cache's one fill.
        _fill = cache.TryStartFill();
    }

    public override DataViewSchema Schema => _binding.OutputSchema;

    public override long Position => _position;

    public override long Batch => 0;

    public override bool MoveNext()
    {
        if (_slot + 1 < _batch.Count)
        {
            _slot++;
            _position++;
            return true;
        }
        if (!FillBatch())
        {
            return false;
        }
        _slot = 0;
        _position++;
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[_slot];

    public override bool IsColumnActive(DataViewSchema.Column column) => _getters[column.Index] is not null;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (_getters[column.Index] is not ValueGetter<TValue> getter)
        {
            throw _getters[column.Index] is null
                ? LstmThrow.ColumnNotActive(column.Name, "cursor")
                : LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name);
        }
        return getter;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fill?.Abandon();
            _source.Dispose();
            _pool.Return(_batch);
        }
        base.Dispose(disposing);
    }

    private bool FillBatch()
    {
        _batch.Clear();
        bool sourceEnded = false;
        long steps = 0;
        while (_batch.Count < _batch.Capacity)
        {
            if (!_rowPending)
            {
                if (!_source.MoveNext())
                {
                    sourceEnded = true;
                    break;
                }
                _pendingSteps = _reader.Load();
            }
            // A row past the step budget waits, still the source's current row, for the next batch.
            _rowPending = _batch.Count >= LstmDefaults.MinBatchRows && steps + _pendingSteps > _binding.BatchSteps;
            if (_rowPending)
            {
                break;
            }
            steps += _pendingSteps;
            int slot = _batch.Count;
            _sourceId(ref _ids[slot]);
            foreach (var buffer in _buffers)
            {
                buffer?.Capture(slot);
            }
            _reader.CopyInto(_batch);
        }
        _batch.Run();
        if (_fill is not null)
        {
            Cache(sourceEnded);
        }
        return _batch.Count > 0;
    }

    /// <summary>Hands the batch's output to the cache; once the source has ended, every row is in.</summary>
    private void Cache(bool sourceEnded)
    {
        for (int slot = 0; slot < _batch.Count; slot++)
        {
            _fill!.Add(_ids[slot], _batch.Output(slot));
        }
        if (sourceEnded)
        {
            _fill!.Complete();
            _fill = null;
        }
    }

    private void GetFeatures(ref VBuffer<float> features)
    {
        var values = _batch.Output(_slot);
        var editor = VBufferEditor.Create(ref features, values.Length);
        values.CopyTo(editor.Values);
        features = editor.Commit();
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// The computing cursor's batches: rows pulled from the source until the batch is full (or its
/// step budget is spent), their sequences copied in by the <see cref="SequenceRowReader"/>, their
/// other columns kept in <see cref="ColumnBuffer"/>s, one ONNX Runtime call, then the rows served one by one.
/// </summary>
internal sealed partial class LstmFeaturizerCursor
{
    private readonly SequenceRowReader? _reader;
    private readonly SequenceBatch? _batch;
    private readonly SequenceBatchPool? _pool;
    private readonly ValueGetter<DataViewRowId>? _sourceId;
    private readonly ColumnBuffer?[] _buffers = [];
    private readonly Delegate?[] _bufferGetters = [];
    private readonly DataViewRowId[] _ids = [];
    private bool _rowPending;
    private int _pendingSteps;
    private int _slot;
    private long _position = -1;

    private LstmFeaturizerCursor(DataViewRowCursor source, SequenceInputBinding binding, SequenceBatchPool pool, bool[] active, OutputCache cache)
        : this(source, binding)
    {
        int batchSize = binding.BatchSize;
        _reader = binding.CreateReader(source);
        _pool = pool;
        _batch = pool.Rent(batchSize, binding.MaxSteps ?? 0);
        _batch.CallSteps = binding.CallSteps;
        _sourceId = source.GetIdGetter();
        _ids = new DataViewRowId[batchSize];
        _moveNext = MoveNextComputed;

        var inputSchema = binding.InputSchema;
        _buffers = new ColumnBuffer?[inputSchema.Count];
        _bufferGetters = new Delegate?[inputSchema.Count];
        Func<int> currentSlot = () => _slot;
        for (int i = 0; i < inputSchema.Count; i++)
        {
            if (active[i])
            {
                _buffers[i] = ColumnBuffer.Create(source, inputSchema[i], batchSize);
                _bufferGetters[i] = _buffers[i]!.CreateGetter(currentSlot);
            }
        }
        // Last, so that a constructor that throws never holds the cache's one fill.
        _cache = cache;
        _fill = cache.TryStartFill();
    }

    private bool MoveNextComputed()
    {
        if (_slot + 1 < _batch!.Count)
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

    private void GetBufferedId(ref DataViewRowId id) => id = _ids[_slot];

    private ValueGetter<TValue> BufferedGetter<TValue>(DataViewSchema.Column column) =>
        _bufferGetters[column.Index] switch
        {
            ValueGetter<TValue> getter => getter,
            null => throw LstmThrow.ColumnNotActive(column.Name, "cursor"),
            _ => throw LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name),
        };

    private bool FillBatch()
    {
        var batch = _batch!;
        batch.Clear();
        bool sourceEnded = false;
        long steps = 0;
        while (batch.Count < batch.Capacity)
        {
            if (!_rowPending)
            {
                if (!_source.MoveNext())
                {
                    sourceEnded = true;
                    break;
                }
                _pendingSteps = _reader!.Load();
            }
            // A row past the step budget waits, still the source's current row, for the next batch.
            _rowPending = batch.Count >= LstmDefaults.MinBatchRows && steps + _pendingSteps > _binding.BatchSteps;
            if (_rowPending)
            {
                break;
            }
            steps += _pendingSteps;
            int slot = batch.Count;
            _sourceId!(ref _ids[slot]);
            foreach (var buffer in _buffers)
            {
                buffer?.Capture(slot);
            }
            if (!_reader!.CopyTo(batch.Add(_pendingSteps)))
            {
                batch.MarkLastMissing();
            }
        }
        batch.Run();
        HandOver(sourceEnded);
        return batch.Count > 0;
    }
}

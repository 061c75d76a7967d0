using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Runtime;

namespace MLNet.Lstm.Data;

/// <summary>
/// The one-row path that <c>PredictionEngine</c> takes: maps a single input row to an output
/// row whose representation is computed (a batch of one) when its getter is first called for
/// that row.
/// </summary>
internal sealed class LstmRowToRowMapper(SequenceInputBinding binding, SequenceBatchPool batches) : IRowToRowMapper
{
    public DataViewSchema InputSchema => binding.InputSchema;

    public DataViewSchema OutputSchema => binding.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var active = binding.Active(dependingColumns);
        return binding.SourceColumns(active, computed: active[binding.OutputColumnIndex]);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(input, binding, batches, featurize: binding.Active(activeColumns)[binding.OutputColumnIndex]);

    private sealed class MappedRow : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly SequenceInputBinding _binding;
        private readonly SequenceRowReader? _reader;
        private readonly SequenceBatch? _batch;
        private readonly SequenceBatchPool? _pool;
        private long _computedPosition = -1;
        private bool _disposed;

        public MappedRow(DataViewRow input, SequenceInputBinding binding, SequenceBatchPool batches, bool featurize)
        {
            _input = input;
            _binding = binding;
            if (featurize)
            {
                _reader = binding.CreateReader(input);
                _pool = batches;
                _batch = batches.Rent(capacity: 1, binding.MaxSteps ?? 0);
            }
        }

        public override DataViewSchema Schema => _binding.OutputSchema;

        protected override void Dispose(bool disposing)
        {
            // Dispose may be called twice (DataViewRow does not guard it): a batch returned twice would be rented by two rows at once.
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (disposing)
            {
                if (_batch is not null)
                {
                    _pool!.Return(_batch);
                }
            }
            base.Dispose(disposing);
        }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _binding.OutputColumnIndex ? _reader is not null : _input.IsColumnActive(_input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _binding.OutputColumnIndex)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }
            if (_reader is null)
            {
                throw LstmThrow.ColumnNotActive(column.Name, "row");
            }
            return (ValueGetter<VBuffer<float>>)GetFeatures as ValueGetter<TValue>
                ?? throw LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name);
        }

        private void GetFeatures(ref VBuffer<float> features)
        {
            // A row that reports no position (-1) is recomputed on every call: it may have changed.
            if (_input.Position < 0 || _input.Position != _computedPosition)
            {
                _batch!.Clear();
                if (!_reader!.CopyTo(_batch.Add(_reader.Load())))
                {
                    _batch.MarkLastMissing();
                }
                _batch.Run();
                _computedPosition = _input.Position;
            }
            LstmFeaturizerCursor.WriteFeatures(_batch!.Output(0), ref features);
        }
    }
}

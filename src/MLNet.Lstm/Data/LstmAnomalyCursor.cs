using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Scores the source's rows in order: each <see cref="MoveNext"/> reads the row's point and
/// timestamp, steps the cursor's own engine on it (one LSTM step in ONNX Runtime) and keeps
/// [Alert, Score, Error] for the output getter. The other columns come from the source as they
/// are. Disposing the cursor frees the engine.
/// </summary>
internal sealed class LstmAnomalyCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly AnomalySeriesBinding _binding;
    private readonly LstmTimeSeriesEngine? _engine;
    private readonly LstmAnomalyTransformer _transformer;
    private readonly SeriesPointReader? _reader;
    private readonly float[] _point;
    private LstmTimeSeriesPrediction _prediction;
    private long _row = -1;
    private bool _disposed;

    /// <param name="source">The source's cursor, in row order.</param>
    /// <param name="binding">The columns.</param>
    /// <param name="engine">An engine at the end of the history, now the cursor's; null when the scores are not read.</param>
    /// <param name="transformer">Gives the alert threshold and takes the engine back.</param>
    public LstmAnomalyCursor(DataViewRowCursor source, AnomalySeriesBinding binding, LstmTimeSeriesEngine? engine, LstmAnomalyTransformer transformer)
    {
        _source = source;
        _binding = binding;
        _engine = engine;
        _transformer = transformer;
        _point = new float[binding.FeatureIndices.Length];
        if (engine is not null)
        {
            _reader = new SeriesPointReader(source, binding, transformer.LastTimestamp);
        }
    }

    public override DataViewSchema Schema => _binding.OutputSchema;

    public override long Position => _source.Position;

    public override long Batch => _source.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _source.GetIdGetter();

    public override bool MoveNext()
    {
        if (!_source.MoveNext())
        {
            return false;
        }
        _row++;
        if (_engine is not null)
        {
            _reader!.Read(_row, _point);
            try
            {
                _prediction = _engine.Predict(_point);
            }
            catch (ArgumentException e)
            {
                // The engine numbers points from the start of the history; the user knows the row.
                throw LstmThrow.SeriesRowRefused(_row, _binding.Columns.Inputs, e);
            }
        }
        return true;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index == _binding.OutputColumnIndex ? _engine is not null : _source.IsColumnActive(_source.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != _binding.OutputColumnIndex)
        {
            return _source.GetGetter<TValue>(_source.Schema[column.Index]);
        }
        if (_engine is null)
        {
            throw LstmThrow.ColumnNotActive(column.Name, "cursor");
        }
        return (ValueGetter<VBuffer<float>>)GetScores as ValueGetter<TValue>
            ?? throw LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name);
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (disposing)
        {
            _source.Dispose();
            if (_engine is not null)
            {
                _transformer.ReleaseEngine(_engine);
            }
        }
        base.Dispose(disposing);
    }

    private void GetScores(ref VBuffer<float> scores)
    {
        var editor = VBufferEditor.Create(ref scores, AnomalySeriesBinding.SlotNames.Length);
        editor.Values[0] = _prediction.Score >= _transformer.AlertThreshold ? 1f : 0f;
        editor.Values[1] = _prediction.Score;
        editor.Values[2] = _prediction.Error;
        scores = editor.Commit();
    }
}

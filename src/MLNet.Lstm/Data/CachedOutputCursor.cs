using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// A cursor over the featurizer's output schema once its output is cached: the source's rows as
/// the source gives them (shuffled or not, as asked), each row's representation looked up by its
/// row id. It does not read the sequence and never calls ONNX Runtime.
/// </summary>
internal sealed class CachedOutputCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly SequenceInputBinding _binding;
    private readonly CachedOutput _output;
    private readonly ValueGetter<DataViewRowId> _sourceId;
    private DataViewRowId _id;
    private int _row = -1;

    public CachedOutputCursor(DataViewRowCursor source, SequenceInputBinding binding, CachedOutput output)
    {
        _source = source;
        _binding = binding;
        _output = output;
        _sourceId = source.GetIdGetter();
    }

    public override DataViewSchema Schema => _binding.OutputSchema;

    public override long Position => _source.Position;

    public override long Batch => _source.Batch;

    public override bool MoveNext()
    {
        if (!_source.MoveNext())
        {
            return false;
        }
        _sourceId(ref _id);
        if (!_output.TryFind(_id, out _row))
        {
            throw LstmThrow.RowNotCached(_source.Position);
        }
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => _sourceId;

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index == _binding.OutputColumnIndex || _source.IsColumnActive(_source.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != _binding.OutputColumnIndex)
        {
            return _source.GetGetter<TValue>(_source.Schema[column.Index]);
        }
        return (ValueGetter<VBuffer<float>>)GetFeatures as ValueGetter<TValue>
            ?? throw LstmThrow.GetterType(column.Name, column.Type.ToString() ?? "", typeof(TValue).Name);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }
        base.Dispose(disposing);
    }

    private void GetFeatures(ref VBuffer<float> features)
    {
        var values = _output.Values(_row);
        var editor = VBufferEditor.Create(ref features, values.Length);
        values.CopyTo(editor.Values);
        features = editor.Commit();
    }
}

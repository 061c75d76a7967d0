using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Copies the current row's sequence into a slot of the batch tensor, time-major [T, F]:
/// straight from the one sequence column, or interleaved from the F feature columns.
/// </summary>
internal sealed class SequenceRowReader
{
    private readonly ValueGetter<VBuffer<float>>[] _getters;
    private readonly VBuffer<float>[] _values;
    private readonly float[] _dense;

    public SequenceRowReader(SequenceInputBinding binding, DataViewRow row)
    {
        _dense = new float[binding.Steps];
        _getters = new ValueGetter<VBuffer<float>>[binding.ColumnIndices.Length];
        _values = new VBuffer<float>[_getters.Length];
        for (int i = 0; i < _getters.Length; i++)
        {
            _getters[i] = row.GetGetter<VBuffer<float>>(row.Schema[binding.ColumnIndices[i]]);
        }
    }

    /// <summary>Writes T × F floats of the current row to <paramref name="destination"/>.</summary>
    public void Read(Span<float> destination)
    {
        if (_getters.Length == 1)
        {
            _getters[0](ref _values[0]);
            _values[0].CopyTo(destination);
            return;
        }
        int features = _getters.Length;
        for (int f = 0; f < features; f++)
        {
            _getters[f](ref _values[f]);
            ReadOnlySpan<float> steps = _values[f].GetValues();
            if (!_values[f].IsDense)
            {
                _values[f].CopyTo(_dense);
                steps = _dense;
            }
            for (int t = 0; t < steps.Length; t++)
            {
                destination[t * features + f] = steps[t];
            }
        }
    }
}

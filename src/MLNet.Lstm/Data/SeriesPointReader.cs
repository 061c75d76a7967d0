using Microsoft.ML;

namespace MLNet.Lstm.Data;

/// <summary>
/// Reads the current row of a series as one point: its F features, one Single column each,
/// refused by row and column when NaN or infinite, and its timestamp, checked against the one
/// before. Fit reads the history through it and every Transform cursor its rows, so both
/// refuse the same rows with the same messages.
/// </summary>
internal sealed class SeriesPointReader
{
    private readonly ValueGetter<float>[] _getters;
    private readonly string[] _names;
    private readonly SeriesTimestamps? _timestamps;

    /// <param name="row">The row to read, with the series' columns active.</param>
    /// <param name="binding">Where the features and timestamps are.</param>
    /// <param name="after">The history's last timestamp, which the first row must follow; null while reading the history.</param>
    public SeriesPointReader(DataViewRow row, AnomalySeriesBinding binding, byte[]? after)
    {
        _names = binding.Columns.Inputs;
        _getters = Array.ConvertAll(binding.FeatureIndices, i => row.GetGetter<float>(row.Schema[i]));
        if (binding.Timestamp is DataViewSchema.Column timestamp)
        {
            _timestamps = SeriesTimestamps.Create(row, timestamp, after);
        }
    }

    /// <summary>The last timestamp read, in its type's bytes; null without a timestamp column.</summary>
    public byte[]? LastTimestamp => _timestamps?.Last;

    /// <param name="row">The row's index, for the messages.</param>
    /// <param name="point">Receives the row's <c>F</c> features.</param>
    public void Read(long row, Span<float> point)
    {
        _timestamps?.Check(row);
        for (int i = 0; i < _getters.Length; i++)
        {
            float value = 0;
            _getters[i](ref value);
            if (!float.IsFinite(value))
            {
                throw LstmThrow.SeriesRowNotFinite(row, _names[i], value);
            }
            point[i] = value;
        }
    }
}

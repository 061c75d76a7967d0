using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm;

/// <summary>
/// Loading sequence data for the featurizer: sliding windows over a long series. (<c>.ts</c>
/// files load with <c>LoadFromTsFile</c>, in the MLNet.Lstm.Evaluation package.)
/// </summary>
/// <example>
/// <code>
/// IDataView windows = mlContext.Data.CreateSlidingWindows(readings, windowSize: 48);
/// </code>
/// </example>
public static class LstmDataCatalog
{
    /// <summary>
    /// Cuts a series into windows of <paramref name="windowSize"/> values every
    /// <paramref name="stride"/> values: one row per window, columns <c>Sequence</c> (a
    /// known-size vector) and <c>Start</c> (the index of the window's first value). This is
    /// how a stream becomes featurizer input.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="series">The values, in time order.</param>
    /// <param name="windowSize">Values per window (T).</param>
    /// <param name="stride">Values from one window's start to the next's.</param>
    /// <example>
    /// <code>
    /// IDataView windows = mlContext.Data.CreateSlidingWindows(readings, windowSize: 48, stride: 12);
    /// </code>
    /// </example>
    public static IDataView CreateSlidingWindows(this DataOperationsCatalog catalog, IEnumerable<float> series, int windowSize, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        var values = series as float[] ?? [.. series];
        var rows = new List<WindowRow>();
        for (long start = 0; start + windowSize <= values.Length; start += stride)
        {
            rows.Add(new WindowRow { Sequence = values.AsSpan((int)start, windowSize).ToArray(), Start = start });
        }
        var schema = SchemaDefinition.Create(typeof(WindowRow));
        schema[nameof(WindowRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, windowSize);
        return catalog.LoadFromEnumerable(rows, schema);
    }

    /// <summary>
    /// Sliding windows over one numeric column of <paramref name="data"/> (e.g. a CSV loaded
    /// with <c>LoadFromTextFile</c>), read in row order; see <see cref="CreateSlidingWindows(DataOperationsCatalog, IEnumerable{float}, int, int)"/>.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="data">The series, one value per row.</param>
    /// <param name="valueColumnName">The column holding the values (Single or Double).</param>
    /// <param name="windowSize">Values per window (T).</param>
    /// <param name="stride">Rows from one window's start to the next's.</param>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or not a Single or Double scalar.</exception>
    /// <example>
    /// <code>
    /// var csv = mlContext.Data.LoadFromTextFile&lt;Reading&gt;("nyc_taxi.csv", separatorChar: ',', hasHeader: true);
    /// IDataView windows = mlContext.Data.CreateSlidingWindows(csv, "Value", windowSize: 48, stride: 1);
    /// </code>
    /// </example>
    public static IDataView CreateSlidingWindows(this DataOperationsCatalog catalog, IDataView data, string valueColumnName, int windowSize, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema.GetColumnOrNull(valueColumnName)
            ?? throw LstmThrow.SeriesColumnMissing(nameof(valueColumnName), valueColumnName);
        var values = new List<float>();
        using var cursor = data.GetRowCursor([column]);
        if (column.Type == NumberDataViewType.Single)
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values.Add(value);
            }
        }
        else if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            double value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                values.Add((float)value);
            }
        }
        else
        {
            throw LstmThrow.SeriesColumnType(nameof(valueColumnName), valueColumnName, column.Type.ToString() ?? column.Type.RawType.Name);
        }
        return catalog.CreateSlidingWindows(values, windowSize, stride);
    }

    private sealed class WindowRow
    {
        public float[] Sequence { get; set; } = [];

        public long Start { get; set; }
    }
}

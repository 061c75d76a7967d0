using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Data;

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
    /// how a stream becomes featurizer input. Values are copied as they are, NaN included: the
    /// featurizer's rules for non-finite rows then apply to each window holding one (training
    /// refuses it, naming the window's row).
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
        return catalog.LoadFromEnumerable(SlidingWindows.Cut(values, 1, windowSize, stride), SlidingWindows.Schema(windowSize, 1, annotate: false));
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
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or not a Single or Double scalar, or the data has fewer rows than one window.</exception>
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
        using var cursor = data.GetRowCursor([column]);
        var values = ReadValues(cursor, column, nameof(valueColumnName));
        var series = new List<float>();
        while (cursor.MoveNext())
        {
            series.Add(values());
        }
        return catalog.CreateSlidingWindows(series, windowSize, stride);
    }

    /// <summary>
    /// Sliding windows over several numeric columns of <paramref name="data"/> read in row order
    /// (telemetry of temperature, pressure and vibration, say): each window's <c>Sequence</c> holds
    /// <paramref name="windowSize"/> steps of F = the columns' count values, time-major (step 0's
    /// values in column order, then step 1's), and carries F as <see cref="LstmAnnotations.InputSize"/>,
    /// so the featurizer and training need no InputSize. <c>Start</c> is the window's first row.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="data">The series, one point of F values per row.</param>
    /// <param name="valueColumnNames">The F columns holding each point's values (Single or Double), in the order the steps hold them.</param>
    /// <param name="windowSize">Steps per window (T).</param>
    /// <param name="stride">Rows from one window's start to the next's.</param>
    /// <exception cref="ArgumentException">No column is named, a name is null, or a column is named twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or not a Single or Double scalar, a window's T × F values would not fit one vector, or the data has fewer rows than one window.</exception>
    /// <example>
    /// <code>
    /// var csv = mlContext.Data.LoadFromTextFile&lt;Telemetry&gt;("machine.csv", separatorChar: ',', hasHeader: true);
    /// IDataView windows = mlContext.Data.CreateSlidingWindows(csv, ["Temperature", "Pressure", "Vibration"], windowSize: 48, stride: 12);
    /// // windows' "Sequence" is 48 × 3 values, annotated with LstmInputSize 3
    /// </code>
    /// </example>
    public static IDataView CreateSlidingWindows(this DataOperationsCatalog catalog, IDataView data, string[] valueColumnNames, int windowSize, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(valueColumnNames);
        if (valueColumnNames.Length == 0)
        {
            throw LstmThrow.SeriesColumnsEmpty(nameof(valueColumnNames));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        int features = valueColumnNames.Length;
        long windowValues = (long)windowSize * features;
        if (windowValues > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.SeriesWindowTooLarge(nameof(windowSize), windowSize, features, LstmDefaults.MaxTensorElements);
        }
        var columns = new DataViewSchema.Column[features];
        for (int f = 0; f < features; f++)
        {
            string name = valueColumnNames[f] ?? throw LstmThrow.SeriesColumnNameNull(nameof(valueColumnNames), f);
            int first = Array.IndexOf(valueColumnNames, name);
            if (first < f)
            {
                throw LstmThrow.SeriesColumnRepeated(nameof(valueColumnNames), name, first, f);
            }
            columns[f] = data.Schema.GetColumnOrNull(name) ?? throw LstmThrow.SeriesColumnMissing(nameof(valueColumnNames), name);
        }
        using var cursor = data.GetRowCursor(columns);
        var readers = new Func<float>[features];
        for (int f = 0; f < features; f++)
        {
            readers[f] = ReadValues(cursor, columns[f], nameof(valueColumnNames));
        }
        var points = new List<float>();
        while (cursor.MoveNext())
        {
            foreach (var read in readers)
            {
                points.Add(read());
            }
        }
        return catalog.LoadFromEnumerable(SlidingWindows.Cut([.. points], features, windowSize, stride), SlidingWindows.Schema(windowSize, features, annotate: true));
    }

    /// <summary>A reader of <paramref name="column"/>'s value at the cursor's row, as a float.</summary>
    private static Func<float> ReadValues(DataViewRowCursor cursor, DataViewSchema.Column column, string parameter)
    {
        if (column.Type == NumberDataViewType.Single)
        {
            var getter = cursor.GetGetter<float>(column);
            return () =>
            {
                float value = 0;
                getter(ref value);
                return value;
            };
        }
        if (column.Type == NumberDataViewType.Double)
        {
            var getter = cursor.GetGetter<double>(column);
            return () =>
            {
                double value = 0;
                getter(ref value);
                return (float)value;
            };
        }
        throw LstmThrow.SeriesColumnType(parameter, column.Name, column.Type.ToString() ?? column.Type.RawType.Name);
    }
}

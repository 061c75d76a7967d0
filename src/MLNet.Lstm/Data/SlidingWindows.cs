using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// Cuts a time-major series (F values a step) into windows of T steps: the rows behind
/// <c>CreateSlidingWindows</c> and the anomaly detector's training data.
/// </summary>
internal static class SlidingWindows
{
    /// <summary>One window a row, every <paramref name="stride"/> steps; the values, NaN included, are copied.</summary>
    public static List<Row> Cut(float[] values, int features, int windowSize, int stride)
    {
        long steps = values.Length / features;
        if (steps < windowSize)
        {
            throw LstmThrow.SeriesShorterThanWindow(nameof(windowSize), steps, windowSize);
        }
        int windowValues = checked(windowSize * features);
        var rows = new List<Row>();
        for (long start = 0; start + windowSize <= steps; start += stride)
        {
            rows.Add(new Row { Sequence = values.AsSpan(checked((int)(start * features)), windowValues).ToArray(), Start = start });
        }
        return rows;
    }

    /// <summary>
    /// The rows' schema: <c>Sequence</c> a known-size vector of T × F values, with
    /// <paramref name="annotate"/> annotated with F (<see cref="LstmAnnotations.InputSize"/>), and <c>Start</c>.
    /// </summary>
    public static SchemaDefinition Schema(int windowSize, int features, bool annotate)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, checked(windowSize * features));
        if (annotate)
        {
            schema[nameof(Row.Sequence)].AddAnnotation(LstmAnnotations.InputSize, features, NumberDataViewType.Int32);
        }
        return schema;
    }

    /// <summary>A window: its values, time-major, and the index of its first step.</summary>
    public sealed class Row
    {
        public float[] Sequence { get; set; } = [];

        public long Start { get; set; }
    }
}

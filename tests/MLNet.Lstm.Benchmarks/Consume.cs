using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Benchmarks;

/// <summary>
/// Reads a vector column to the end the way ML.NET's parallel consumers do: a cursor set of one
/// cursor per core, each read on its own thread. A view that parallelises its own work (the
/// featurizer) answers with one cursor; ApplyOnnxModel answers with one per core.
/// </summary>
internal static class Consume
{
    public static long All(IDataView data, string column)
    {
        var cursors = data.GetRowCursorSet([data.Schema[column]], Environment.ProcessorCount);
        var counts = new long[cursors.Length];
        Parallel.For(0, cursors.Length, i =>
        {
            using var cursor = cursors[i];
            var getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema[column]);
            var value = default(VBuffer<float>);
            long rows = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows++;
            }
            counts[i] = rows;
        });
        return counts.Sum();
    }
}

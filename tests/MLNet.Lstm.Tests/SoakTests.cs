using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Tests;

/// <summary>A long run holds its memory level: buffers are reused, nothing accumulates per row.</summary>
[TestClass]
public sealed class SoakTests
{
    private const int Rows = 1_000_000;
    private const int WarmUpRows = 10_000;
    private const int Steps = 10;
    private const long AllowedGrowth = 50L * 1024 * 1024;

    [TestMethod]
    public void FeaturizingAMillionRowsKeepsManagedHeapAndWorkingSetWithin50MB()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Generate(), Schema());
        // The output cache holds up to its budget by design (OutputCacheTests); this measures the featurizer's own buffers.
        using var transformer = mlContext.Transforms.LstmFeaturizeSequence(
            LstmModel.CreateRandom(inputSize: 1, hiddenSize: 64, numLayers: 2, outputSize: 1, seed: 1),
            new LstmFeaturizerOptions { OutputCacheBytes = 0 }).Fit(data);
        var output = transformer.Transform(data);

        long rows = 0, baseHeap = 0, baseWorkingSet = 0;
        double checksum = 0;
        var features = default(VBuffer<float>);
        var clock = Stopwatch.StartNew();
        using (var cursor = output.GetRowCursor(output.Schema))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
            while (cursor.MoveNext())
            {
                getter(ref features);
                checksum += features.GetValues()[0];
                if (++rows == WarmUpRows)
                {
                    (baseHeap, baseWorkingSet) = Measure();
                }
            }
        }
        var (endHeap, endWorkingSet) = Measure();

        Console.WriteLine($"{rows:N0} rows in {clock.Elapsed.TotalSeconds:F1} s; after {WarmUpRows:N0} rows: heap {baseHeap / 1e6:F1} MB, working set {baseWorkingSet / 1e6:F1} MB; " +
            $"at the end: heap {endHeap / 1e6:F1} MB, working set {endWorkingSet / 1e6:F1} MB");
        Assert.AreEqual(Rows, rows);
        Assert.IsTrue(double.IsFinite(checksum));
        Assert.IsLessThan(AllowedGrowth, Math.Abs(endHeap - baseHeap), "managed heap growth");
        Assert.IsLessThan(AllowedGrowth, Math.Abs(endWorkingSet - baseWorkingSet), "working set growth");
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }

    /// <summary>Rows made as they are read, so the source holds no memory of its own.</summary>
    private static IEnumerable<Row> Generate()
    {
        var row = new Row { Sequence = new float[Steps] };
        for (int n = 0; n < Rows; n++)
        {
            for (int t = 0; t < Steps; t++)
            {
                row.Sequence[t] = MathF.Sin(0.1f * (n % 997) + 0.5f * t);
            }
            yield return row;
        }
    }

    private static SchemaDefinition Schema()
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Steps);
        return schema;
    }

    private sealed class Row
    {
        public float[] Sequence { get; set; } = [];
    }
}

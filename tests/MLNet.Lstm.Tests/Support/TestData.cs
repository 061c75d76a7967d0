using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Tests.Support;

internal sealed class SequenceRow
{
    public float[] Sequence { get; set; } = [];

    public bool Label { get; set; }

    public int Id { get; set; }
}

internal static class TestData
{
    /// <summary>Rows with a known-size "Sequence" column (T × F values, time-major), a "Label" and an "Id".</summary>
    public static IDataView Sequences(MLContext mlContext, IEnumerable<SequenceRow> rows, int length)
    {
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    public static IDataView Sequences(MLContext mlContext, float[][][] sequences) =>
        Sequences(mlContext, sequences.Select((s, i) => new SequenceRow { Sequence = [.. s.SelectMany(step => step)], Id = i }),
            sequences[0].Length * sequences[0][0].Length);

    /// <summary>Random sequences [N][T][F], uniform in [-2, 2).</summary>
    public static float[][][] Random(int count, int steps, int features, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, steps)
                .Select(_ => Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray())
                .ToArray())
            .ToArray();
    }

    /// <summary>
    /// Sine waves (label false) and square waves (label true) of random frequency and phase,
    /// amplitude 0.8–1.2, with a little noise.
    /// </summary>
    public static List<SequenceRow> SineOrSquare(int count, int steps, int seed)
    {
        var random = new Random(seed);
        var rows = new List<SequenceRow>();
        for (int n = 0; n < count; n++)
        {
            bool square = n % 2 == 1;
            double frequency = 0.05 + random.NextDouble() * 0.15;
            double phase = random.NextDouble() * 2 * Math.PI;
            double amplitude = 0.8 + 0.4 * random.NextDouble();
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                double s = Math.Sin(2 * Math.PI * frequency * t + phase);
                sequence[t] = (float)(amplitude * (square ? Math.Sign(s) : s) + 0.05 * (random.NextDouble() - 0.5));
            }
            rows.Add(new SequenceRow { Sequence = sequence, Label = square, Id = n });
        }
        return rows;
    }

    /// <summary>ML.NET builds a SchemaShape from a schema only internally (SchemaShape.Create), as its pipelines do.</summary>
    public static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!
            .Invoke(null, [schema])!;

    /// <summary>
    /// Sine windows of random frequency and phase; every other one (label true) has a spike of
    /// +3 at a random step, the anomaly a detector should flag.
    /// </summary>
    public static List<SequenceRow> SineWithSpikes(int count, int steps, int seed, bool withAnomalies = true)
    {
        var random = new Random(seed);
        var rows = new List<SequenceRow>();
        for (int n = 0; n < count; n++)
        {
            double frequency = 0.05 + random.NextDouble() * 0.15;
            double phase = random.NextDouble() * 2 * Math.PI;
            var sequence = new float[steps];
            for (int t = 0; t < steps; t++)
            {
                sequence[t] = (float)(Math.Sin(2 * Math.PI * frequency * t + phase) + 0.05 * (random.NextDouble() - 0.5));
            }
            bool spike = withAnomalies && n % 2 == 1;
            if (spike)
            {
                sequence[random.Next(steps)] += 3f;
            }
            rows.Add(new SequenceRow { Sequence = sequence, Label = spike, Id = n });
        }
        return rows;
    }

    /// <summary>
    /// <paramref name="count"/> rows of <paramref name="steps"/> random values in [0, 1) from
    /// <paramref name="seed"/>, each of the class <paramref name="classOf"/> names, as a key-typed "Label".
    /// </summary>
    public static IDataView KeyedClasses(MLContext mlContext, int count, int steps, Func<int, string> classOf, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, count).Select(i => new ClassRow { Sequence = [.. Enumerable.Range(0, steps).Select(_ => (float)random.NextDouble())], Class = classOf(i) }).ToList();
        var schema = SchemaDefinition.Create(typeof(ClassRow));
        schema[nameof(ClassRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, steps);
        var raw = mlContext.Data.LoadFromEnumerable(rows, schema);
        return mlContext.Transforms.Conversion.MapValueToKey("Label", nameof(ClassRow.Class)).Fit(raw).Transform(raw);
    }

    private sealed class ClassRow
    {
        public float[] Sequence { get; set; } = [];

        public string Class { get; set; } = "";
    }

    public static float[][] Features(IDataView data, string column = "Features") =>
        data.GetColumn<float[]>(column).ToArray();
}

internal static class Assertions
{
    public static void AreClose(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, double tolerance)
    {
        Assert.HasCount(expected.Count, actual);
        for (int row = 0; row < expected.Count; row++)
        {
            Assert.HasCount(expected[row].Length, actual[row], $"row {row}");
            for (int k = 0; k < expected[row].Length; k++)
            {
                Assert.AreEqual(expected[row][k], actual[row][k], tolerance, $"row {row}, value {k}");
            }
        }
    }
}

internal static class LstmRepresentations
{
    /// <summary>The representations PyTorch's fixtures give references for (all but the NextStep anomaly score).</summary>
    public static LstmRepresentation[] WithReferences =>
        [.. Enum.GetValues<LstmRepresentation>().Where(r => r != LstmRepresentation.NextStepError)];
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The anomaly detector's columns checked against one schema: where the series' features and
/// timestamps are, and the output schema (the input columns, then [Alert, Score, Error] with
/// those slot names).
/// </summary>
internal sealed class AnomalySeriesBinding
{
    /// <summary>The output vector's slots, in order.</summary>
    public static readonly string[] SlotNames = ["Alert", "Score", "Error"];

    private AnomalySeriesBinding(DataViewSchema inputSchema, DataViewSchema outputSchema, AnomalyColumns columns, int[] featureIndices, DataViewSchema.Column? timestamp)
    {
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
        Columns = columns;
        FeatureIndices = featureIndices;
        Timestamp = timestamp;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public AnomalyColumns Columns { get; }

    /// <summary>Indices in <see cref="InputSchema"/> of the F feature columns.</summary>
    public int[] FeatureIndices { get; }

    /// <summary>The timestamp column in <see cref="InputSchema"/>, when there is one.</summary>
    public DataViewSchema.Column? Timestamp { get; }

    /// <summary>The output column's index in <see cref="OutputSchema"/>: right after the input columns.</summary>
    public int OutputColumnIndex => InputSchema.Count;

    /// <param name="schema">The data's schema.</param>
    /// <param name="columns">The columns to bind.</param>
    /// <param name="timestampType">The type of the timestamps Fit read, which later data must share; null while fitting.</param>
    public static AnomalySeriesBinding Create(DataViewSchema schema, AnomalyColumns columns, DataViewType? timestampType)
    {
        var indices = new int[columns.Inputs.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            string name = columns.Inputs[i];
            var column = schema.GetColumnOrNull(name) ?? throw LstmThrow.SeriesFeatureMissing(name);
            if (!column.Type.Equals(NumberDataViewType.Single))
            {
                throw LstmThrow.SeriesFeatureType(name, Describe(column.Type));
            }
            indices[i] = column.Index;
        }
        DataViewSchema.Column? timestamp = null;
        if (columns.Timestamp is string timestampName)
        {
            var column = schema.GetColumnOrNull(timestampName) ?? throw LstmThrow.TimestampColumnMissing(timestampName);
            if (timestampType is null ? !SeriesTimestamps.Supports(column.Type) : !column.Type.Equals(timestampType))
            {
                throw LstmThrow.TimestampColumnType(timestampName, timestampType?.ToString(), Describe(column.Type));
            }
            timestamp = column;
        }

        var slotNames = new DataViewSchema.Annotations.Builder();
        slotNames.AddSlotNames(SlotNames.Length, (ref VBuffer<ReadOnlyMemory<char>> names) =>
        {
            var editor = VBufferEditor.Create(ref names, SlotNames.Length);
            for (int i = 0; i < SlotNames.Length; i++)
            {
                editor.Values[i] = SlotNames[i].AsMemory();
            }
            names = editor.Commit();
        });
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        builder.AddColumn(columns.Output, new VectorDataViewType(NumberDataViewType.Single, SlotNames.Length), slotNames.ToAnnotations());
        return new AnomalySeriesBinding(schema, builder.ToSchema(), columns, indices, timestamp);
    }

    /// <summary>A column's type as the schema errors name it, the same here and for a <see cref="SchemaShape"/>.</summary>
    public static string Describe(DataViewType type) =>
        type is VectorDataViewType vector ? $"a vector of {vector.ItemType}" : type.ToString() ?? type.RawType.Name;

    /// <summary>Flags over <see cref="OutputSchema"/>: which of its columns <paramref name="columns"/> names.</summary>
    public bool[] Active(IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[OutputSchema.Count];
        foreach (var column in columns)
        {
            active[column.Index] = true;
        }
        return active;
    }

    /// <summary>The source columns a reader of the <paramref name="active"/> output columns needs: those it reads, and the series' columns when it is <paramref name="scored"/>.</summary>
    public List<DataViewSchema.Column> SourceColumns(bool[] active, bool scored)
    {
        var columns = new List<DataViewSchema.Column>();
        for (int i = 0; i < InputSchema.Count; i++)
        {
            if (active[i] || (scored && (Array.IndexOf(FeatureIndices, i) >= 0 || i == Timestamp?.Index)))
            {
                columns.Add(InputSchema[i]);
            }
        }
        return columns;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Data;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>
/// The anomaly estimator's schema shape, with the same checks and messages as the transformer's
/// schema. <see cref="SchemaShape.Column"/>'s constructor is internal to ML.NET (see README.md here).
/// </summary>
internal static class LstmAnomalySchemaShape
{
    public static SchemaShape Append(SchemaShape inputSchema, AnomalyColumns columns)
    {
        foreach (var name in columns.Inputs)
        {
            if (!inputSchema.TryFindColumn(name, out var column))
            {
                throw LstmThrow.SeriesFeatureMissing(name);
            }
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !column.ItemType.Equals(NumberDataViewType.Single))
            {
                throw LstmThrow.SeriesFeatureType(name, Describe(column));
            }
        }
        if (columns.Timestamp is string timestampName)
        {
            if (!inputSchema.TryFindColumn(timestampName, out var timestamp))
            {
                throw LstmThrow.TimestampColumnMissing(timestampName);
            }
            if (timestamp.Kind != SchemaShape.Column.VectorKind.Scalar || !SeriesTimestamps.Supports(timestamp.ItemType))
            {
                throw LstmThrow.TimestampColumnType(timestampName, fitted: null, Describe(timestamp));
            }
        }
        var slotNames = new SchemaShape.Column(AnnotationUtils.Kinds.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);
        var columnsOut = inputSchema.ToDictionary(c => c.Name);
        columnsOut[columns.Output] = new SchemaShape.Column(columns.Output, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
            new SchemaShape([slotNames]));
        return new SchemaShape(columnsOut.Values);
    }

    private static string Describe(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar ? column.ItemType.ToString() ?? "" : $"a vector of {column.ItemType}";
}

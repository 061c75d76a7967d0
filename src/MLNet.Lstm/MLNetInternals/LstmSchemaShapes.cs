using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>
/// The estimator's schema shape. <see cref="SchemaShape.Column"/>'s constructor is internal to
/// ML.NET, so describing a new column needs its internals (see README.md here).
/// </summary>
internal static class LstmSchemaShapes
{
    public static SchemaShape AppendFeatures(SchemaShape inputSchema, LstmFeaturizerOptions options, int inputSize)
    {
        var inputColumns = options.InputColumnNames;
        string outputColumn = options.OutputColumnName;
        if (inputColumns.Length > 1 && inputColumns.Length != inputSize)
        {
            throw LstmThrow.WrongColumnCount(inputSize, inputColumns);
        }
        foreach (var name in inputColumns)
        {
            if (!inputSchema.TryFindColumn(name, out var column))
            {
                throw LstmThrow.ColumnMissing(name);
            }
            if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            {
                string kind = column.Kind == SchemaShape.Column.VectorKind.Scalar ? "a scalar" : "a vector";
                throw LstmThrow.ColumnNotSingleVector(name, $"{kind} of {column.ItemType}");
            }
        }
        if (options.SequenceLengthColumnName is string lengthName)
        {
            if (!inputSchema.TryFindColumn(lengthName, out var length))
            {
                throw LstmThrow.LengthColumnMissing(lengthName);
            }
            if (length.Kind != SchemaShape.Column.VectorKind.Scalar || length.IsKey || length.ItemType is not NumberDataViewType)
            {
                throw LstmThrow.LengthColumnType(lengthName, $"{(length.Kind == SchemaShape.Column.VectorKind.Scalar ? "a scalar" : "a vector")} of {length.ItemType}");
            }
        }
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[outputColumn] = new SchemaShape.Column(outputColumn, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}

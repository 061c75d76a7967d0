using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.MLNetInternals;

/// <summary>
/// The estimator's schema shape. <see cref="SchemaShape.Column"/>'s constructor is internal to
/// ML.NET, so describing a new column needs its internals (see README.md here).
/// </summary>
internal static class LstmSchemaShapes
{
    public static SchemaShape AppendFeatures(SchemaShape inputSchema, IReadOnlyList<string> inputColumns, string outputColumn, int inputSize)
    {
        if (inputColumns.Count > 1 && inputColumns.Count != inputSize)
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
            if (column.Kind == SchemaShape.Column.VectorKind.VariableVector)
            {
                throw LstmThrow.ColumnNotKnownSize(name);
            }
        }
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[outputColumn] = new SchemaShape.Column(outputColumn, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}

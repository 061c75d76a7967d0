using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The featurizer's input columns checked against one schema: where the sequence is, how
/// many steps it has, and the output schema (the input columns, then the representation).
/// </summary>
internal sealed class SequenceInputBinding
{
    private SequenceInputBinding(DataViewSchema inputSchema, DataViewSchema outputSchema, int[] columnIndices, int steps, int inputSize)
    {
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
        ColumnIndices = columnIndices;
        Steps = steps;
        InputSize = inputSize;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    /// <summary>Indices in <see cref="InputSchema"/> of the sequence column, or of the F feature columns.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>Time steps per row (T).</summary>
    public int Steps { get; }

    /// <summary>Features per step (F).</summary>
    public int InputSize { get; }

    /// <summary>Floats per row of the batch tensor: T × F.</summary>
    public int RowLength => Steps * InputSize;

    /// <summary>The representation's index in <see cref="OutputSchema"/>: right after the input columns.</summary>
    public int OutputColumnIndex => InputSchema.Count;

    public static SequenceInputBinding Create(DataViewSchema schema, IReadOnlyList<string> columnNames, string outputColumnName, LstmModel model, int outputSize)
    {
        int inputSize = model.InputSize;
        bool perFeature = columnNames.Count > 1;
        if (perFeature && columnNames.Count != inputSize)
        {
            throw LstmThrow.WrongColumnCount(inputSize, columnNames);
        }

        var indices = new int[columnNames.Count];
        int steps = 0;
        for (int i = 0; i < columnNames.Count; i++)
        {
            string name = columnNames[i];
            var column = schema.GetColumnOrNull(name) ?? throw LstmThrow.ColumnMissing(name);
            if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType number } vector || number.RawType != typeof(float))
            {
                throw LstmThrow.ColumnNotSingleVector(name, column.Type.ToString() ?? column.Type.RawType.Name);
            }
            if (!vector.IsKnownSize)
            {
                throw LstmThrow.ColumnNotKnownSize(name);
            }
            int length = vector.Size;
            if (perFeature)
            {
                if (i > 0 && length != steps)
                {
                    throw LstmThrow.FeatureLengthMismatch(name, length, columnNames[0], steps);
                }
                steps = length;
            }
            else
            {
                if (length % inputSize != 0)
                {
                    throw LstmThrow.LengthNotMultiple(name, inputSize, length);
                }
                steps = length / inputSize;
            }
            indices[i] = column.Index;
        }
        if (model.SequenceLength is int fixedSteps && fixedSteps != steps)
        {
            throw LstmThrow.SequenceLengthFixed(columnNames[0], fixedSteps, steps);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        builder.AddColumn(outputColumnName, new VectorDataViewType(NumberDataViewType.Single, outputSize));
        return new SequenceInputBinding(schema, builder.ToSchema(), indices, steps, inputSize);
    }

    public bool IsInputColumn(int index) => Array.IndexOf(ColumnIndices, index) >= 0;

    public SequenceRowReader CreateReader(DataViewRow row) => new(this, row);
}

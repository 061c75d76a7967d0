using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Data;

/// <summary>
/// The featurizer's input columns checked against one schema: where the sequence is, whether
/// its length is fixed, and the output schema (the input columns, then the representation).
/// </summary>
internal sealed class SequenceInputBinding
{
    private SequenceInputBinding(DataViewSchema inputSchema, DataViewSchema outputSchema, string[] columnNames,
        int[] columnIndices, int? lengthColumnIndex, int? maxSteps, int inputSize, int? modelSteps)
    {
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
        ColumnNames = columnNames;
        ColumnIndices = columnIndices;
        LengthColumnIndex = lengthColumnIndex;
        MaxSteps = maxSteps;
        InputSize = inputSize;
        ModelSteps = modelSteps;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public string[] ColumnNames { get; }

    /// <summary>Indices in <see cref="InputSchema"/> of the sequence column, or of the F feature columns.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>The column giving each row's number of steps, when the sequences are padded.</summary>
    public int? LengthColumnIndex { get; }

    /// <summary>The most steps a row can have when the columns are known-size vectors, else null.</summary>
    public int? MaxSteps { get; }

    /// <summary>Features per step (F).</summary>
    public int InputSize { get; }

    /// <summary>Steps the model's graph requires, when it fixes them.</summary>
    public int? ModelSteps { get; }

    /// <summary>Rows per ONNX Runtime call: the option, or chosen from the sequence length and model size.</summary>
    public int BatchSize { get; private set; } = 1;

    /// <summary>
    /// Steps (summed over rows) after which a default batch of sequences of unknown length ends
    /// (<see cref="LstmDefaults.BatchSteps"/>); <see cref="long.MaxValue"/> when rows alone bound it.
    /// </summary>
    public long BatchSteps { get; private set; } = long.MaxValue;

    /// <summary>
    /// Most rows × steps one ONNX Runtime call takes (<see cref="LstmDefaults.BatchSteps"/>) when a
    /// batch of sequences of unknown length is read <see cref="LstmDefaults.LengthGroupingBudgets"/>
    /// budgets at a time; <see cref="long.MaxValue"/> otherwise.
    /// </summary>
    public long CallSteps { get; private set; } = long.MaxValue;

    /// <summary>The representation's index in <see cref="OutputSchema"/>: right after the input columns.</summary>
    public int OutputColumnIndex => InputSchema.Count;

    public static SequenceInputBinding Create(DataViewSchema schema, LstmFeaturizerOptions options, LstmModel model, int outputSize)
    {
        var binding = Create(schema, options, model.InputSize, model.SequenceLength, outputSize);
        int batchSize = options.BatchSize > 0
            ? options.BatchSize
            : LstmDefaults.BatchSize(binding.MaxSteps, model.HiddenSize * (model.Bidirectional ? 2 : 1));
        if (options.BatchSize == 0 && binding.MaxSteps is null)
        {
            binding.CallSteps = LstmDefaults.BatchSteps(model.HiddenSize * (model.Bidirectional ? 2 : 1));
            binding.BatchSteps = Math.Max(binding.CallSteps,
                Math.Min(binding.CallSteps * LstmDefaults.LengthGroupingBudgets, LstmDefaults.VariableLengthBatchValues / binding.InputSize));
            batchSize = LstmDefaults.VariableLengthBatchRows;
        }
        if (model.Graph.FixedBatchSize is long fixedBatch)
        {
            // A graph exported without a dynamic batch axis takes exactly that many rows per call.
            batchSize = fixedBatch == 1 ? 1 : throw LstmThrow.FixedBatch(fixedBatch);
        }
        binding.BatchSize = batchSize;
        return binding;
    }

    /// <summary>Binds the input columns for reading sequences of <paramref name="inputSize"/> features (training reads them so).</summary>
    public static SequenceInputBinding Create(DataViewSchema schema, LstmFeaturizerOptions options, int inputSize, int? modelSteps = null, int outputSize = 1)
    {
        var columnNames = options.InputColumnNames;
        bool perFeature = columnNames.Length > 1;
        if (perFeature && columnNames.Length != inputSize)
        {
            throw LstmThrow.WrongColumnCount(inputSize, columnNames);
        }
        // Before the length checks: "6 channels, model of 1" says more than "length not a multiple of 4".
        if (InputSizeAnnotation.Read(schema, columnNames) is int annotated && annotated != inputSize)
        {
            throw LstmThrow.InputSizeDisagreesWithModel(columnNames[0], annotated, inputSize);
        }

        var indices = new int[columnNames.Length];
        int? knownSteps = null;
        for (int i = 0; i < columnNames.Length; i++)
        {
            string name = columnNames[i];
            var column = schema.GetColumnOrNull(name) ?? throw LstmThrow.ColumnMissing(name);
            if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType number } vector || number.RawType != typeof(float))
            {
                throw LstmThrow.ColumnNotSingleVector(name, column.Type.ToString() ?? column.Type.RawType.Name);
            }
            indices[i] = column.Index;
            if (!vector.IsKnownSize)
            {
                continue;
            }
            int length = vector.Size;
            if (perFeature)
            {
                if (knownSteps is int first && length != first)
                {
                    throw LstmThrow.FeatureLengthMismatch(name, length, columnNames[0], first);
                }
                knownSteps = length;
            }
            else
            {
                if (length == 0 || length % inputSize != 0)
                {
                    throw LstmThrow.LengthNotMultiple(name, inputSize, length);
                }
                knownSteps = length / inputSize;
            }
        }
        int? lengthIndex = null;
        if (options.SequenceLengthColumnName is string lengthName)
        {
            var column = schema.GetColumnOrNull(lengthName) ?? throw LstmThrow.LengthColumnMissing(lengthName);
            if (!SequenceLengthReader.Supports(column.Type))
            {
                throw LstmThrow.LengthColumnType(lengthName, column.Type.ToString() ?? column.Type.RawType.Name);
            }
            if (knownSteps is null)
            {
                throw LstmThrow.LengthColumnNeedsKnownSize(lengthName, columnNames[0]);
            }
            lengthIndex = column.Index;
        }

        bool allKnown = indices.All(i => schema[i].Type is VectorDataViewType { IsKnownSize: true });
        int? fixedSteps = allKnown && lengthIndex is null ? knownSteps : null;
        if (modelSteps is int requiredSteps && fixedSteps is int steps && requiredSteps != steps)
        {
            throw LstmThrow.SequenceLengthFixed(columnNames[0], requiredSteps, steps);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        builder.AddColumn(options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, outputSize));
        return new SequenceInputBinding(schema, builder.ToSchema(), columnNames, indices, lengthIndex,
            allKnown ? knownSteps : null, inputSize, modelSteps);
    }

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

    /// <summary>
    /// The source columns a reader of the <paramref name="active"/> output columns needs: those it
    /// reads, and the sequence's columns (and length column) when the representation is
    /// <paramref name="computed"/>. The one rule for the view's cursors and the row mapper.
    /// </summary>
    public List<DataViewSchema.Column> SourceColumns(bool[] active, bool computed)
    {
        var columns = new List<DataViewSchema.Column>();
        for (int i = 0; i < InputSchema.Count; i++)
        {
            if (active[i] || (computed && IsSequenceColumn(i)))
            {
                columns.Add(InputSchema[i]);
            }
        }
        return columns;
    }

    private bool IsSequenceColumn(int index) => Array.IndexOf(ColumnIndices, index) >= 0 || index == LengthColumnIndex;

    public SequenceRowReader CreateReader(DataViewRow row) => new(this, row);
}

namespace MLNet.Lstm;

/// <summary>
/// Every exception MLNet.Lstm raises for bad input, in one place, so messages stay consistent:
/// each names the column or file, what was expected and what was found.
/// </summary>
internal static class LstmThrow
{
    // ML.NET raises schema mismatches as ArgumentOutOfRangeException on "inputSchema"; ours match.
    private const string SchemaParameter = "inputSchema";

    public static void IfArchitectureInvalid(int inputSize, int hiddenSize, int numLayers, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(outputSize);
    }

    public static ArgumentException WeightsInvalid(string property, string why) =>
        new($"LstmWeights.{property}: {why}.", property);

    public static FileNotFoundException ModelFileMissing(string path) =>
        new($"ONNX model file '{path}' does not exist.", path);

    public static InvalidDataException ModelInvalid(string source, string why, Exception? inner = null) =>
        new($"ONNX model '{source}' cannot be used as an LSTM: {why}.", inner);

    public static InvalidOperationException NoHead() =>
        new("Representation ModelOutput needs a model with an output head, but this model has none (OutputSize is 0). Use another representation, or a model with a head (e.g. CreateRandom with outputSize > 0).");

    public static ArgumentOutOfRangeException ColumnMissing(string column) =>
        new(SchemaParameter, $"Input column '{column}' was not found: expected a vector of Single holding the sequence, found no column of that name.");

    public static ArgumentOutOfRangeException ColumnNotSingleVector(string column, string found) =>
        new(SchemaParameter, $"Input column '{column}': expected a vector of Single, found {found}.");

    public static ArgumentOutOfRangeException LengthNotMultiple(string column, int inputSize, int length) =>
        new(SchemaParameter, $"Input column '{column}': expected a vector of T × {inputSize} values (time-major, {inputSize} features per step, T ≥ 1), found a vector of length {length}.");

    public static ArgumentOutOfRangeException WrongColumnCount(int inputSize, IReadOnlyList<string> columns) =>
        new(SchemaParameter, $"Input columns: expected 1 column holding T × {inputSize} values or {inputSize} columns holding T values each (one per feature), found {columns.Count}: {string.Join(", ", columns.Select(c => $"'{c}'"))}.");

    public static ArgumentOutOfRangeException FeatureLengthMismatch(string column, int length, string firstColumn, int firstLength) =>
        new(SchemaParameter, $"Input column '{column}': expected a vector of {firstLength} values (one per step, like column '{firstColumn}'), found {length}.");

    public static ArgumentOutOfRangeException SequenceLengthFixed(string column, int modelSteps, int steps) =>
        new(SchemaParameter, $"Input column '{column}': the model takes sequences of exactly {modelSteps} steps, found {steps} steps.");

    public static ArgumentOutOfRangeException InputSizeAnnotationType(string column, string found) =>
        new(SchemaParameter, $"Input column '{column}': expected its {LstmAnnotations.InputSize} annotation to be an Int32 (features per step), found {found}.");

    public static ArgumentOutOfRangeException InputSizeAnnotationValue(string column, int found) =>
        new(SchemaParameter, $"Input column '{column}': expected its {LstmAnnotations.InputSize} annotation to be at least 1 (features per step), found {found}.");

    public static ArgumentOutOfRangeException InputSizeDisagreesWithModel(string column, int annotated, int modelInputSize) =>
        new(SchemaParameter, $"Input column '{column}': its {LstmAnnotations.InputSize} annotation says {annotated} features per step, but the model's InputSize is {modelInputSize}. Use a model whose InputSize is {annotated}.");

    public static ArgumentOutOfRangeException InputSizeDisagreesWithOption(string column, int annotated, int inputSize) =>
        new(SchemaParameter, $"Input column '{column}': its {LstmAnnotations.InputSize} annotation says {annotated} features per step, but LstmTrainingOptions.InputSize is {inputSize}. Leave InputSize null to take it from the annotation.");

    public static ArgumentException OptionsInvalid(string option, string why) =>
        new($"LstmFeaturizerOptions.{option}: {why}.", option);

    public static ArgumentOutOfRangeException LengthColumnMissing(string column) =>
        new(SchemaParameter, $"Sequence length column '{column}' was not found: expected a numeric column holding each row's number of steps, found no column of that name.");

    public static ArgumentOutOfRangeException LengthColumnType(string column, string found) =>
        new(SchemaParameter, $"Sequence length column '{column}': expected a numeric scalar (the row's number of steps), found {found}.");

    public static ArgumentOutOfRangeException LengthColumnNeedsKnownSize(string lengthColumn, string column) =>
        new(SchemaParameter, $"Sequence length column '{lengthColumn}' is for padded sequences: expected input column '{column}' to be a vector of known size, found a vector of variable size.");

    // Row errors surface while a cursor reads the data, as ML.NET's own data errors do.
    public static InvalidOperationException RowLengthNotMultiple(long row, string column, int inputSize, int length) =>
        new($"Row {row} of column '{column}': expected T × {inputSize} values (time-major, T ≥ 1), found {length}.");

    public static InvalidOperationException RowFeatureLengthMismatch(long row, string column, int length, string firstColumn, int firstLength) =>
        new($"Row {row} of column '{column}': expected {firstLength} values (one per step, like column '{firstColumn}'; at least 1), found {length}.");

    public static InvalidOperationException RowLengthOutOfRange(long row, string column, int maxSteps, long length) =>
        new($"Row {row} of column '{column}': expected a whole number of steps from 1 to {maxSteps}, found {(length < 0 ? "a value that is not a whole number" : length)}.");

    public static InvalidOperationException RowSequenceLengthFixed(long row, string column, int modelSteps, int steps) =>
        new($"Row {row} of column '{column}': the model takes sequences of exactly {modelSteps} steps, found {steps} steps.");

    public static InvalidOperationException RowNotCached(long row) =>
        new($"Row {row}: its row id was not among the rows of the first full pass over this data, whose LSTM output was cached; expected the data to give the same rows on every pass. Set LstmFeaturizerOptions.OutputCacheBytes = 0 for data that changes between passes.");

    public static InvalidOperationException GpuUnavailable(int deviceId, Exception inner) =>
        new($"LstmFeaturizerOptions.GpuDeviceId is {deviceId}, but ONNX Runtime's CUDA execution provider could not be used ({inner.Message.Trim()}). Reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime and check the CUDA installation, or set FallbackToCpu = true to run on the CPU.", inner);

    public static InvalidOperationException FixedBatch(long batch) =>
        new($"The ONNX model fixes its batch dimension at {batch} rows, so it cannot run batches of other sizes. Export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={{'input': {{0: 'batch'}}}})) or with batch 1.");

    public static ArgumentException LabelMissing(LstmObjective objective) =>
        new($"LstmTrainingOptions.LabelColumnName: the {objective} objective needs a label column, found none.", nameof(LstmTrainingOptions.LabelColumnName));

    public static ArgumentOutOfRangeException LabelColumnNotFound(string column) =>
        new(SchemaParameter, $"Label column '{column}' was not found: expected the training label, found no column of that name.");

    public static ArgumentOutOfRangeException LabelType(string column, LstmObjective objective, string found) =>
        new(SchemaParameter, objective == LstmObjective.Classification
            ? $"Label column '{column}': the Classification objective expects a key type (MapValueToKey) or Boolean, found {found}."
            : $"Label column '{column}': the Regression objective expects Single or a known-size vector of Single, found {found}.");

    public static InvalidOperationException LabelMissingValue(long row, string column) =>
        new($"Row {row} of label column '{column}': expected a class, found a missing key value.");

    public static ArgumentException TrainingOptionInvalid(string option, string why) =>
        new($"LstmTrainingOptions.{option}: {why}.", option);

    public static InvalidOperationException NoNextStepHead(int inputSize, int outputSize, bool bidirectional) =>
        new($"Representation NextStepError needs a one-directional model whose head (one Gemm) forecasts the next step's {inputSize} features; this model is {(bidirectional ? "bidirectional" : "one-directional")} with a head of {outputSize} outputs. Train it with LstmObjective.NextStep.");

    public static ObjectDisposedException TransformerDisposed() =>
        new(null, "This LstmFeaturizerTransformer has been disposed, so it cannot start a new cursor or PredictionEngine; those started before Dispose run to their end. Keep the transformer (or the model that holds it) until its last cursor or PredictionEngine has been created.");
}

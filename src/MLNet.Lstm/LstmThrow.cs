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

    public static ArgumentOutOfRangeException ColumnNotKnownSize(string column) =>
        new(SchemaParameter, $"Input column '{column}': expected a vector of Single of known size, found a vector of variable size.");

    public static ArgumentOutOfRangeException LengthNotMultiple(string column, int inputSize, int length) =>
        new(SchemaParameter, $"Input column '{column}': expected a vector of T × {inputSize} values (time-major, {inputSize} features per step, T ≥ 1), found a vector of length {length}.");

    public static ArgumentOutOfRangeException WrongColumnCount(int inputSize, IReadOnlyList<string> columns) =>
        new(SchemaParameter, $"Input columns: expected 1 column holding T × {inputSize} values or {inputSize} columns holding T values each (one per feature), found {columns.Count}: {string.Join(", ", columns.Select(c => $"'{c}'"))}.");

    public static ArgumentOutOfRangeException FeatureLengthMismatch(string column, int length, string firstColumn, int firstLength) =>
        new(SchemaParameter, $"Input column '{column}': expected a vector of {firstLength} values (one per step, like column '{firstColumn}'), found {length}.");

    public static ArgumentOutOfRangeException SequenceLengthFixed(string column, int modelSteps, int steps) =>
        new(SchemaParameter, $"Input column '{column}': the model takes sequences of exactly {modelSteps} steps, found {steps} steps.");

    public static ArgumentException OptionsInvalid(string option, string why) =>
        new($"LstmFeaturizerOptions.{option}: {why}.", option);
}

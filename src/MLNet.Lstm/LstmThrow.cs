using System.Globalization;
using static System.FormattableString;

namespace MLNet.Lstm;

/// <summary>
/// Every exception MLNet.Lstm raises for bad input, in one place, so messages stay consistent:
/// each names the column or file, what was expected and what was found. Every message is
/// formatted with the invariant culture (<c>Invariant</c>), so a number reads the same on every machine.
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

    public static void IfConvArchitectureInvalid(IReadOnlyList<int>? channels, IReadOnlyList<int>? kernelSizes)
    {
        if ((channels?.Count ?? 0) != (kernelSizes?.Count ?? 0))
        {
            throw new ArgumentException(Invariant($"LstmWeights: expected one kernel size per convolutional layer, found {channels?.Count ?? 0} layer(s) of channels and {kernelSizes?.Count ?? 0} kernel size(s)."), "convKernelSizes");
        }
        for (int i = 0; i < (channels?.Count ?? 0); i++)
        {
            if (channels![i] < 1)
            {
                throw new ArgumentOutOfRangeException("convChannels", Invariant($"LstmWeights: conv layer {i} has {channels[i]} channels; expected at least 1."));
            }
            if (kernelSizes![i] < 1)
            {
                throw new ArgumentOutOfRangeException("convKernelSizes", Invariant($"LstmWeights: conv layer {i} has kernel size {kernelSizes[i]}; expected at least 1."));
            }
        }
    }

    public static void IfKernelBankInvalid(int inputChannels, int kernels, int kernelSize, int dilation, int thresholdsPerKernel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(thresholdsPerKernel, 1);
        if (kernelSize % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), Invariant($"LstmKernelBankWeights: kernel size {kernelSize} is even; expected an odd size, padded alike on both sides."));
        }
        if ((Int128)kernels * inputChannels * kernelSize > LstmDefaults.MaxTensorElements || (Int128)kernels * thresholdsPerKernel > LstmDefaults.MaxTensorElements
            || (Int128)(kernelSize - 1) / 2 * dilation > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(kernels), Invariant($"LstmKernelBankWeights: {kernels} kernels × {inputChannels} channels × {kernelSize} taps ({thresholdsPerKernel} thresholds each, dilation {dilation}) do not fit one .NET array of {LstmDefaults.MaxTensorElements} values or an Int32 padding."));
        }
    }

    public static ArgumentException KernelBankChannels(int bank, int channels, int inputSize) =>
        WeightsInvalid(nameof(LstmWeights.KernelBanks), Invariant($"kernel bank {bank} reads {channels} channel(s); expected {inputSize}, the model's features per step"));

    public static ArgumentException FeatureScaling(string property, int found, int expected) =>
        WeightsInvalid(property, Invariant($"expected {expected} values (one per LastMeanMax feature: the LSTM's, the conv branch's and the kernel banks') or null, found {found}"));

    public static ArgumentException ObjectiveRefusesStandardizeFeatures(LstmObjective objective) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.StandardizeFeatures), Invariant($"the {objective} objective's representation is not the LastMeanMax features; expected null or false"));

    public static ArgumentException FeatureDeviationInvalid(double found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.FeatureDeviation), Invariant($"expected null (1/√(feature count) each) or 1e-6 to 1e6, found {found}"));

    public static ArgumentException ObjectiveRefusesFeatureDeviation(LstmObjective objective) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.FeatureDeviation), Invariant($"the {objective} objective's representation is not standardized; expected null"));

    public static ArgumentException FeatureDeviationWithoutStandardization() =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.FeatureDeviation), "StandardizeFeatures is false, so no feature is standardized to it; expected null, or StandardizeFeatures null or true");

    public static ArgumentException KernelFeaturesInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.KernelFeatures), Invariant($"expected null (chosen from the objective), 0 for none, or {LstmDefaults.KernelCount} (one per MiniRocket kernel) to {LstmDefaults.MaxKernelFeatures}, found {found}"));

    public static ArgumentException RepresentationRefusesFeatureOption(string option, LstmRepresentation representation) =>
        TrainingOptionInvalid(option, Invariant($"the featurizer's representation is {representation}, which does not read what it gives (the LastMeanMax features do); expected null, or LstmFeaturizerOptions.Representation = LastMeanMax"));

    public static ArgumentException ObjectiveRefusesKernelFeatures(LstmObjective objective) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.KernelFeatures), Invariant($"the {objective} objective's representation does not read kernel features; expected null or 0"));

    public static ArgumentException ConvKernelSizesCount(int layers, int kernels) =>
        new(Invariant($"LstmTrainingOptions.ConvKernelSizes: expected one kernel size per convolutional layer ({layers}), found {kernels}."), nameof(LstmTrainingOptions.ConvKernelSizes));

    public static ArgumentOutOfRangeException ConvChannelsInvalid(int layer, int channels) =>
        new(nameof(LstmTrainingOptions.ConvChannels), Invariant($"LstmTrainingOptions.ConvChannels: conv layer {layer} has {channels} channels; expected 1 to {LstmDefaults.MaxHiddenSize}."));

    public static ArgumentOutOfRangeException ConvKernelSizeInvalid(int layer, int kernel) =>
        new(nameof(LstmTrainingOptions.ConvKernelSizes), Invariant($"LstmTrainingOptions.ConvKernelSizes: conv layer {layer} has kernel size {kernel}; expected 1 to {LstmDefaults.MaxConvKernelSize}."));

    public static ArgumentException ObjectiveRefusesConv(LstmObjective objective, string option) =>
        new(Invariant($"LstmTrainingOptions.{option}: the {objective} objective trains no convolutional branch (its head reads single steps, not the whole sequence); use Classification or Regression, or leave {option} null."), option);

    public static ArgumentException InitialModelConvForObjective(LstmObjective objective, int layers) =>
        new(Invariant($"LstmTrainingOptions.InitialModel: the {objective} objective trains no convolutional branch (its head reads single steps, not the whole sequence), but the model has one of {layers} layer(s); expected a model without one, or Objective Classification or Regression."), nameof(LstmTrainingOptions.InitialModel));

    public static InvalidOperationException ConvKernelLongerThanSequence(int layer, int kernel, int steps) =>
        new(Invariant($"LSTM training: conv layer {layer}'s kernel spans {kernel} steps, but the training sequences reach the branch with a median of {steps} step(s) (after pooling); expected kernels of at most {steps} steps (set ConvKernelSizes shorter, or ConvMaxSteps higher)."));

    public static InvalidOperationException InitialModelConvKernelLongerThanSequence(int layer, int kernel, int steps) =>
        new(Invariant($"LSTM training: the InitialModel's conv layer {layer} has a kernel of {kernel} steps, but the training sequences reach it with a median of {steps} step(s) (after the model's own pooling); expected kernels of at most {steps} steps. Fine-tune it on longer sequences, or train a new model."));

    public static InvalidOperationException ConvBatchTooLarge(int batchSize, int steps, long window, long values) =>
        new(Invariant($"LSTM training: a batch of {batchSize} rows of {steps} steps gives the convolutional branch windows of {values} values ({window} per step); expected at most {LstmDefaults.MaxTensorElements} (one .NET array). Lower BatchSize, ConvChannels or ConvKernelSizes, or ConvMaxSteps."));

    public static ArgumentException WeightsInvalid(string property, string why) =>
        new(Invariant($"LstmWeights.{property}: {why}."), property);

    public static ArgumentOutOfRangeException SeriesColumnMissing(string parameter, string column) =>
        new(parameter, Invariant($"Column '{column}' was not found: expected the series' values, found no column of that name."));

    public static ArgumentException SeriesColumnsEmpty(string parameter) =>
        new("Sliding windows: expected the names of one or more value columns, found none.", parameter);

    public static ArgumentOutOfRangeException SeriesWindowTooLarge(string parameter, int windowSize, int features, long limit) =>
        new(parameter, Invariant($"Sliding windows: {windowSize:N0} steps of {features} values are {(long)windowSize * features:N0} values a window; expected at most {limit:N0}, the largest vector one row holds."));

    public static ArgumentException SeriesColumnNameNull(string parameter, int index) =>
        new(Invariant($"Sliding windows: {parameter}[{index}]: expected a column name, found null."), parameter);

    public static ArgumentException SeriesColumnRepeated(string parameter, string column, int first, int second) =>
        new(Invariant($"Sliding windows: column '{column}' is named twice ({parameter}[{first}] and [{second}]); expected each value column once."), parameter);

    public static ArgumentOutOfRangeException SeriesShorterThanWindow(string parameter, long steps, int windowSize) =>
        new(parameter, Invariant($"Sliding windows: the series has {steps:N0} steps, too few for one window of {windowSize:N0}; expected at least {windowSize:N0} steps, or a smaller windowSize."));

    public static ArgumentOutOfRangeException SeriesColumnType(string parameter, string column, string found) =>
        new(parameter, Invariant($"Column '{column}': expected a Single or Double value per row, found {found}."));

    public static InvalidDataException ModelZipDamaged() =>
        new("The LSTM featurizer in this model.zip is damaged: its ONNX graph does not match the checksum saved with it.");

    public static InvalidOperationException TrainingDataEmpty() =>
        new("LSTM training: the data holds no rows.");

    public static InvalidOperationException TrainingRowNotFinite(int row) =>
        new(Invariant($"LSTM training: row {row} holds NaN or infinity; replace missing values before training (e.g. ReplaceMissingValues)."));

    public static InvalidOperationException NoLabelToRead(LstmObjective objective) =>
        new(Invariant($"The {objective} objective reads no label."));

    public static InvalidOperationException ColumnNotActive(string column, string where) =>
        new(Invariant($"Column '{column}' is not active in this {where}."));

    public static InvalidOperationException GetterType(string column, string type, string requested) =>
        new(Invariant($"Column '{column}' holds {type}, not {requested}."));

    public static FileNotFoundException ModelFileMissing(string path) =>
        new(Invariant($"ONNX model file '{path}' does not exist."), path);

    public static InvalidDataException ModelInvalid(string source, string why, Exception? inner = null) =>
        new(Invariant($"ONNX model '{source}' cannot be used as an LSTM: {why}."), inner);

    public static InvalidOperationException NoHead(string output) =>
        new(Invariant($"Representation ModelOutput needs a model whose output has a fixed number of values per row, but this model's output {output} does not fix them (OutputSize is 0). Use another representation, or a model with a head (e.g. CreateRandom with outputSize > 0)."));

    public static ArgumentOutOfRangeException ColumnMissing(string column) =>
        new(SchemaParameter, Invariant($"Input column '{column}' was not found: expected a vector of Single holding the sequence, found no column of that name."));

    public static ArgumentOutOfRangeException ColumnNotSingleVector(string column, string found) =>
        new(SchemaParameter, Invariant($"Input column '{column}': expected a vector of Single, found {found}."));

    public static ArgumentOutOfRangeException LengthNotMultiple(string column, int inputSize, int length) =>
        new(SchemaParameter, Invariant($"Input column '{column}': expected a vector of T × {inputSize} values (time-major, {inputSize} features per step, T ≥ 1), found a vector of length {length}."));

    public static ArgumentOutOfRangeException WrongColumnCount(int inputSize, IReadOnlyList<string> columns) =>
        new(SchemaParameter, Invariant($"Input columns: expected 1 column holding T × {inputSize} values or {inputSize} columns holding T values each (one per feature), found {columns.Count}: {string.Join(", ", columns.Select(c => $"'{c}'"))}."));

    public static ArgumentOutOfRangeException FeatureLengthMismatch(string column, int length, string firstColumn, int firstLength) =>
        new(SchemaParameter, Invariant($"Input column '{column}': expected a vector of {firstLength} values (one per step, like column '{firstColumn}'), found {length}."));

    public static ArgumentOutOfRangeException SequenceLengthFixed(string column, int modelSteps, int steps) =>
        new(SchemaParameter, Invariant($"Input column '{column}': the model takes sequences of exactly {modelSteps} steps, found {steps} steps."));

    public static ArgumentOutOfRangeException InputSizeAnnotationType(string column, string found) =>
        new(SchemaParameter, Invariant($"Input column '{column}': expected its {LstmAnnotations.InputSize} annotation to be an Int32 (features per step), found {found}."));

    public static ArgumentOutOfRangeException InputSizeAnnotationValue(string column, int found) =>
        new(SchemaParameter, Invariant($"Input column '{column}': expected its {LstmAnnotations.InputSize} annotation to be at least 1 (features per step), found {found}."));

    public static ArgumentOutOfRangeException InputSizeDisagreesWithModel(string column, int annotated, int modelInputSize) =>
        new(SchemaParameter, Invariant($"Input column '{column}': its {LstmAnnotations.InputSize} annotation says {annotated} features per step, but the model's InputSize is {modelInputSize}. Use a model whose InputSize is {annotated}."));

    public static ArgumentOutOfRangeException InputSizeDisagreesWithOption(string column, int annotated, int inputSize) =>
        new(SchemaParameter, Invariant($"Input column '{column}': its {LstmAnnotations.InputSize} annotation says {annotated} features per step, but LstmTrainingOptions.InputSize is {inputSize}. Leave InputSize null to take it from the annotation."));

    private static ArgumentException OptionsInvalid(string option, string why) =>
        new(Invariant($"LstmFeaturizerOptions.{option}: {why}."), option);

    public static ArgumentException OutputColumnNameMissing() => OptionsInvalid(nameof(LstmFeaturizerOptions.OutputColumnName), "expected a column name, found none");

    public static ArgumentException InputColumnNamesMissing() =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.InputColumnNames), "expected one or more column names, found none or an empty name");

    public static ArgumentException BatchSizeNegative(int batchSize) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.BatchSize), Invariant($"expected 0 (default) or a positive number of rows, found {batchSize}"));

    public static ArgumentException BatchSizeTooLarge(int batchSize) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.BatchSize), Invariant($"expected at most {LstmDefaults.MaxBatchSize} rows per call (past about 1024 a batch is no faster per row), found {batchSize}"));

    public static ArgumentException IntraOpThreadsBelowOne(int threads) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.IntraOpNumThreads), Invariant($"expected null (all cores) or at least 1 thread, found {threads}"));

    public static ArgumentException IntraOpThreadsTooMany(int threads) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.IntraOpNumThreads), Invariant($"expected at most {LstmDefaults.MaxIntraOpThreads} threads (null uses every core), found {threads}"));

    public static ArgumentException GpuDeviceIdNegative(int device) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.GpuDeviceId), Invariant($"expected null (CPU) or a device id ≥ 0, found {device}"));

    public static ArgumentException OutputCacheBytesNegative(long bytes) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.OutputCacheBytes), Invariant($"expected 0 (no cache) or a positive number of bytes, found {bytes}"));

    public static ArgumentException PrecisionUndefined(LstmPrecision precision) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.Precision), Invariant($"expected one of {string.Join(", ", Enum.GetNames<LstmPrecision>())}, found {(int)precision}"));

    public static ArgumentException RepresentationUndefined(LstmRepresentation representation) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.Representation), Invariant($"expected one of {string.Join(", ", Enum.GetNames<LstmRepresentation>())}, found {(int)representation}"));

    public static ArgumentException RepresentationUnknown(LstmRepresentation representation) =>
        OptionsInvalid(nameof(LstmFeaturizerOptions.Representation), Invariant($"expected one of {string.Join(", ", Enum.GetNames<LstmRepresentation>())}, found {representation}"));

    public static ArgumentOutOfRangeException LengthColumnMissing(string column) =>
        new(SchemaParameter, Invariant($"Sequence length column '{column}' was not found: expected a numeric column holding each row's number of steps, found no column of that name."));

    public static ArgumentOutOfRangeException LengthColumnType(string column, string found) =>
        new(SchemaParameter, Invariant($"Sequence length column '{column}': expected a numeric scalar (the row's number of steps), found {found}."));

    public static ArgumentOutOfRangeException LengthColumnNeedsKnownSize(string lengthColumn, string column) =>
        new(SchemaParameter, Invariant($"Sequence length column '{lengthColumn}' is for padded sequences: expected input column '{column}' to be a vector of known size, found a vector of variable size."));

    // Row errors surface while a cursor reads the data, as ML.NET's own data errors do.
    public static InvalidOperationException RowLengthNotMultiple(long row, string column, int inputSize, int length) =>
        new(Invariant($"Row {row} of column '{column}': expected T × {inputSize} values (time-major, T ≥ 1), found {length}."));

    public static InvalidOperationException RowFeatureLengthMismatch(long row, string column, int length, string firstColumn, int firstLength) =>
        new(Invariant($"Row {row} of column '{column}': expected {firstLength} values (one per step, like column '{firstColumn}'; at least 1), found {length}."));

    public static InvalidOperationException RowLengthOutOfRange(long row, string column, int maxSteps, long length) =>
        new(Invariant($"Row {row} of column '{column}': expected a whole number of steps from 1 to {maxSteps}, found {(length < 0 ? "a value that is not a whole number" : length)}."));

    public static InvalidOperationException RowSequenceLengthFixed(long row, string column, int modelSteps, int steps) =>
        new(Invariant($"Row {row} of column '{column}': the model takes sequences of exactly {modelSteps} steps, found {steps} steps."));

    public static InvalidOperationException RowNotCached(long row) =>
        new(Invariant($"Row {row}: its row id was not among the rows of the pass over this data whose LSTM output was cached; expected the data to give the same rows on every pass. Set LstmFeaturizerOptions.OutputCacheBytes = 0 for data that changes between passes."));

    // Warnings to mlContext.Log: the output cache never takes a slow path in silence.
    public static string OutputCacheTooLarge(long rows, bool atLeast, long bytesPerRow, long budgetBytes) =>
        Invariant($"The LSTM featurizer's output ({(atLeast ? "at least " : "")}{rows:N0} rows × {bytesPerRow:N0} bytes = {Size(rows * bytesPerRow)}) ") +
        Invariant($"is larger than LstmFeaturizerOptions.OutputCacheBytes ({Size(budgetBytes)}), so it is not cached: every further pass over this data runs the LSTM again. ") +
        "If a trainer reads it (most make many passes), append AppendCacheCheckpoint(mlContext) right after the featurizer, or raise OutputCacheBytes.";

    public static string ValidationShortfall(double fraction, int asked, int rows, int held) =>
        Invariant($"ValidationFraction {fraction} asks for {asked} of the {rows} rows, but the classes are too small to give them up (each keeps at least one training row): {held} held out. Early stopping and the best epoch are judged on those; give rare classes more rows, or set ValidationFraction to 0.");

    public static string OutputCacheDuplicateRowId() =>
        "Two rows of this data have the same row id, so the LSTM featurizer's output cannot be cached by row: every further pass over this data runs the LSTM again. " +
        "If a trainer reads it (most make many passes), append AppendCacheCheckpoint(mlContext) right after the featurizer.";

    private static string Size(long bytes) => bytes >= 1 << 20 ? Invariant($"{bytes / (double)(1 << 20):F1} MB") : Invariant($"{bytes:N0} bytes");

    public static InvalidOperationException GpuUnavailable(int deviceId, Exception inner) =>
        new(Invariant($"LstmFeaturizerOptions.GpuDeviceId is {deviceId}, but ONNX Runtime's CUDA execution provider could not be used ({inner.Message.Trim()}). Reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime and check the CUDA installation, or set FallbackToCpu = true to run on the CPU."), inner);

    public static InvalidOperationException FixedBatch(long batch) =>
        new(Invariant($"The ONNX model fixes its batch dimension at {batch} rows, so it cannot run batches of other sizes. Export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={{'input': {{0: 'batch'}}}})) or with batch 1."));

    public static ArgumentException LabelMissing(LstmObjective objective) =>
        new(Invariant($"LstmTrainingOptions.LabelColumnName: the {objective} objective needs a label column, found none."), nameof(LstmTrainingOptions.LabelColumnName));

    public static ArgumentOutOfRangeException LabelColumnNotFound(string column) =>
        new(SchemaParameter, Invariant($"Label column '{column}' was not found: expected the training label, found no column of that name."));

    public static ArgumentOutOfRangeException LabelType(string column, LstmObjective objective, string expected, string found) =>
        new(SchemaParameter, Invariant($"Label column '{column}': the {objective} objective expects {expected}, found {found}."));

    public static InvalidOperationException LabelMissingValue(long row, string column) =>
        new(Invariant($"Row {row} of label column '{column}': expected a class, found a missing key value."));

    public static ArgumentException TrainingOptionInvalid(string option, string why) =>
        new(Invariant($"LstmTrainingOptions.{option}: {why}."), option);

    public static ArgumentException EpochsInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.Epochs), Invariant($"expected null (chosen from the data size) or at least 1, found {found}"));

    public static ArgumentException BatchSizeInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.BatchSize), Invariant($"expected at least 1, found {found}"));

    public static ArgumentException EnsembleSizeInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.EnsembleSize), Invariant($"expected null (chosen from the objective) or at least 1, found {found}"));

    public static ArgumentException EnsembleSizeNotADivisor(int hiddenSize, int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.EnsembleSize), Invariant($"the members share HiddenSize's {hiddenSize} units equally; expected a divisor of {hiddenSize}, found {found}"));

    public static ArgumentException EnsembleSizeWithInitialModel(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.EnsembleSize), Invariant($"fine-tuning an InitialModel trains that one model; expected null or 1, found {found}"));

    public static ArgumentException HiddenSizeInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.HiddenSize), Invariant($"expected at least 1, found {found}"));

    public static ArgumentException HiddenSizeTooLarge(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.HiddenSize), Invariant($"expected at most {LstmDefaults.MaxHiddenSize} (its 4·H × H recurrence weights must fit one array), found {found}"));

    public static ArgumentException NumLayersInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.NumLayers), Invariant($"expected at least 1, found {found}"));

    public static ArgumentException InputSizeInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.InputSize), Invariant($"expected null (from the data) or at least 1, found {found}"));

    public static ArgumentException LearningRateNotPositive(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.LearningRate), Invariant($"expected a positive rate, found {found}"));

    public static ArgumentException LearningRateNotFinite(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.LearningRate), Invariant($"expected a finite rate (1e-4 to 1e-1 is usual), found {found}"));

    public static ArgumentException ForgetGateBiasNotFinite(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.ForgetGateBias), Invariant($"expected a finite bias (0 to 3 is usual), found {found}"));

    public static ArgumentException GradientClipNormInvalid(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.GradientClipNorm), Invariant($"expected null or a positive norm, found {found}"));

    public static ArgumentException ValidationFractionInvalid(double found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.ValidationFraction), Invariant($"expected null (chosen from the data size) or a share from 0 up to (not including) 1, found {found}"));

    public static ArgumentException WeightDecayInvalid(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.WeightDecay), Invariant($"expected 0 or a positive finite decay, found {found}"));

    public static ArgumentException AugmentationInvalid(string option, float found) =>
        TrainingOptionInvalid(option, Invariant($"expected a finite standard deviation of at least 0, found {found}"));

    public static ArgumentException AugmentSliceInvalid(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.AugmentSlice), Invariant($"expected a share of the steps from 0 up to (not including) 1, found {found}"));

    public static ArgumentException AugmentSliceReconstruction(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.AugmentSlice), Invariant($"the Reconstruction objective's head outputs every step of a whole row, so its rows cannot be sliced; expected 0, found {found}"));

    public static ArgumentException DropoutInvalid(float found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.Dropout), Invariant($"expected a share from 0 up to (not including) 1, found {found}"));

    public static ArgumentException MaxStepsInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.MaxSteps), Invariant($"expected null (every step) or at least 1, found {found}"));

    public static ArgumentException ConvMaxStepsInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.ConvMaxSteps), Invariant($"expected null (the LSTM's MaxSteps) or at least 1, found {found}"));

    public static ArgumentException LearningRateScheduleUndefined(LstmLearningRateSchedule found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.LearningRateSchedule), Invariant($"expected Constant or Cosine, found {found}"));

    public static ArgumentException HeadInputUndefined(LstmHeadInput found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.HeadInput), Invariant($"expected LastStep or LastMeanMax, found {found}"));

    public static ArgumentException EarlyStoppingPatienceInvalid(int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.EarlyStoppingPatience), Invariant($"expected null or at least 1 epoch, found {found}"));

    public static ArgumentException ObjectiveUnknown(LstmObjective found, LstmObjective[] known) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.Objective), Invariant($"expected {string.Join(", ", known[..^1])} or {known[^1]}, found {found}"));

    public static ArgumentException ObjectiveTrainsOneLstm(LstmObjective objective, int found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.EnsembleSize), Invariant($"the {objective} objective trains one LSTM; expected null or 1, found {found}"));

    public static ArgumentException ObjectiveRefusesLabel(LstmObjective objective, string why, string found) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.LabelColumnName), Invariant($"the {objective} objective {why}; expected null, found '{found}'"));

    public static ArgumentOutOfRangeException ObjectiveNeedsOneLength(LstmObjective objective, string column, int row, int expected, int found) =>
        new(SchemaParameter, Invariant($"Row {row} of column '{column}': the {objective} objective needs every sequence of one length; expected {expected} steps (as row 0), found {found}. Cut the series into windows of one length (CreateSlidingWindows)."));

    public static ArgumentOutOfRangeException HeadTooLarge(LstmObjective objective, string column, long outputs, int hiddenSize, bool bidirectional, long maxOutputs) =>
        new(SchemaParameter, Invariant($"Column '{column}': the {objective} objective's head outputs {outputs} values per row; with HiddenSize {hiddenSize}{(bidirectional ? " in 2 directions" : "")} expected at most {maxOutputs} (its weight, outputs × (3·directions·HiddenSize + the convolutional branch's last channels, times 3 with ConvHalves), must fit one .NET array of {LstmDefaults.MaxTensorElements} values). Lower HiddenSize, the last of ConvChannels or the outputs per row (for Reconstruction, MaxSteps or the rows' length), or turn ConvHalves off."));

    public static ArgumentException RepresentationNeedsObjective(LstmRepresentation representation, LstmObjective objective, LstmObjective needed) =>
        new(Invariant($"LstmFeaturizerOptions.Representation: {representation} needs a model trained with the {needed} objective; the {objective} objective does not train one. Expected LstmObjective.{needed} or another representation, found {objective}."), nameof(LstmFeaturizerOptions.Representation));

    public static ArgumentException ObjectiveRefusesBidirectional(LstmObjective objective, string why) =>
        TrainingOptionInvalid(nameof(LstmTrainingOptions.Bidirectional), Invariant($"the {objective} objective {why}; expected false, found true"));

    public static InvalidOperationException NoNextStepHead(int inputSize, int outputSize, bool bidirectional) =>
        new(Invariant($"Representation NextStepError needs a one-directional model whose head (one Gemm) forecasts the next step's {inputSize} features; this model is {(bidirectional ? "bidirectional" : "one-directional")} with a head of {outputSize} outputs. Train it with LstmObjective.NextStep."));

    public static InvalidDataException ExternalDataNoLocation(string modelPath, string tensor) =>
        ModelInvalid(modelPath, Invariant($"tensor '{tensor}' keeps its data in an external file but names no location; expected a 'location' entry holding a file name inside the model's folder"));

    public static InvalidDataException ExternalDataLinkLeavesFolder(string modelPath, string tensor, string location, string realFile, string realFolder) =>
        ModelInvalid(modelPath, Invariant($"tensor '{tensor}' refers to external data '{location}', which is a link to '{realFile}', outside the model's folder '{realFolder}'"));

    public static InvalidDataException ExternalDataNotByteCount(string modelPath, string tensor, string location, string key, string text) =>
        ModelInvalid(modelPath, Invariant($"tensor '{tensor}' refers to external data '{location}' with {key} '{text}'; expected a whole number of bytes from 0 to {long.MaxValue}"));

    public static InvalidDataException ExternalDataOutOfFile(string modelPath, string tensor, string location, string offset, string length, long fileLength) =>
        ModelInvalid(modelPath, Invariant($"tensor '{tensor}' refers to {length} bytes from offset {offset} of external data '{location}', which holds {fileLength} bytes"));

    public static InvalidDataException LstmNodeInputs(string source, string node, IReadOnlyList<string> inputs) =>
        ModelInvalid(source, Invariant($"LSTM node '{node}' has inputs ({string.Join(", ", inputs.Select(i => $"'{i}'"))}); expected at least X, W and R, each named"));

    public static InvalidDataException LstmNodeInputUndefined(string source, string node, string role, string name) =>
        ModelInvalid(source, Invariant($"input {role} '{name}' of LSTM node '{node}' is not defined in the graph; expected a graph input, an initializer or a node's output of that name"));

    public static InvalidDataException LstmTensorType(string source, string node, string role, string tensor, int dataType) =>
        ModelInvalid(source, Invariant($"tensor '{tensor}', input {role} of LSTM node '{node}', holds element type {dataType}; expected {(int)Onnx.Proto.TensorProto.Types.DataType.Float} (float)"));

    public static InvalidDataException LstmTensorShape(string source, string node, string role, string tensor, object[] expected, IReadOnlyList<long> found) =>
        ModelInvalid(source, Invariant($"tensor '{tensor}', input {role} of LSTM node '{node}', has shape [{string.Join(", ", found)}]; expected [{string.Join(", ", expected)}]"));

    public static InvalidDataException LstmTensorValues(string source, string node, string role, string tensor, long expected, long found, int rawBytes) =>
        ModelInvalid(source, found < 0
            ? Invariant($"tensor '{tensor}', input {role} of LSTM node '{node}', holds {rawBytes} bytes of raw data, not a whole number of floats; expected {expected} values")
            : Invariant($"tensor '{tensor}', input {role} of LSTM node '{node}', holds {found} values; expected {expected}, as its shape says"));

    public static InvalidDataException TensorNotFloats(string source, string tensor, string why) =>
        ModelInvalid(source, Invariant($"tensor '{tensor}' {why}"));

    public static NotSupportedException HeadNotReadable(string source, string why) =>
        new(Invariant($"ONNX model '{source}': {why}, so its weights cannot be read in PyTorch layout."));

    public static InvalidDataException InitialStateShape(string source, string input) =>
        ModelInvalid(source, Invariant($"its input {input} carries an LSTM's initial state, which the featurizer runs as zeros; expected float of shape [layers·directions, batch, hidden] with fixed layers·directions and hidden"));

    public static InvalidDataException LstmNodesNotOneChain(string source, string previous, string node) =>
        ModelInvalid(source, Invariant($"its LSTM nodes are not one chain of layers: '{node}' does not read the output of '{previous}'; expected each LSTM node to read the one before it (parallel LSTMs are not supported)"));

    public static NotSupportedException SequenceLensNotSupported(string source, string node, string input) =>
        new(Invariant($"ONNX model '{source}': LSTM node '{node}' reads sequence_lens '{input}'; expected none. The featurizer runs each row to its own length by grouping rows of one length, and ONNX Runtime would apply a fixed sequence_lens to every batch, whatever its size. Export the LSTM without sequence_lens."));

    public static NotSupportedException NotCarriedByWeights(string source, string op, string node, string what) =>
        new(Invariant($"ONNX model '{source}': {op} node '{node}' has {what}, which LstmWeights (PyTorch's nn.LSTM, nn.Conv1d and nn.Linear) cannot carry, so GetWeights and fine-tuning (InitialModel) would compute something else. Use the model as it is with LstmFeaturizeSequence, or export it without it."));

    public static ArgumentException WeightsNotFinite(string tensor, int index, float value) =>
        new(Invariant($"LstmWeights {tensor}: expected finite values, found {value} at index {index}."), "weights");

    public static InvalidDataException ParameterNotFinite(string source, string tensor, string op, string node, int index, float value) =>
        ModelInvalid(source, Invariant($"its tensor '{tensor}' (read by {op} node '{node}') holds {value} at index {index}; expected finite parameters"));

    public static InvalidOperationException LabelNotFinite(long row, string column, float value) =>
        new(Invariant($"Row {row} of label column '{column}': the Regression objective expects finite values, found {value}. Drop or replace such rows before training (e.g. FilterRowsByMissingValues)."));

    public static InvalidOperationException TrainingDiverged(int epoch, int batch, string what, float learningRate) =>
        new(Invariant($"LSTM training diverged in epoch {epoch}, batch {batch}: {what} became NaN or infinity. Lower LearningRate (it is {learningRate}), keep GradientClipNorm set, and check that the labels are of moderate size."));

    public static InvalidOperationException TooFewRows(int rows) =>
        new(Invariant($"LSTM training: the data holds {rows} rows; expected at least {LstmDefaults.MinTrainingRows} sequences to learn from."));

    public static InvalidOperationException TooFewTrainingRows(int rows, int held, double fraction) =>
        new(Invariant($"LSTM training: ValidationFraction {fraction} holds out {held} of the {rows} rows, leaving {rows - held} to train on; expected at least {LstmDefaults.MinTrainingRows}. Lower ValidationFraction, or set it to 0."));

    public static InvalidOperationException OneClass(string column, string found, int rows) =>
        new(Invariant($"Label column '{column}': the Classification objective needs rows of at least two classes, found only class '{found}' in all {rows} rows."));

    public static ArgumentOutOfRangeException WeightsTooLarge(string parameter, int value, string tensor, string shape, Int128 elements) =>
        new(parameter, Invariant($"LstmWeights: {parameter} {value} makes {tensor} ({shape}) hold {elements} values; expected at most {LstmDefaults.MaxTensorElements} per tensor (the longest .NET array)."));

    public static InvalidDataException LstmNodeTooLarge(string source, string node, long hiddenSize, string tensor, string shape, Int128 elements) =>
        ModelInvalid(source, Invariant($"LSTM node '{node}' has hidden_size {hiddenSize}, which makes its {tensor} ({shape}) hold {elements} values; expected at most {LstmDefaults.MaxTensorElements} per tensor"));

    public static ObjectDisposedException TransformerDisposed() =>
        new(null, "This LstmFeaturizerTransformer has been disposed, so it cannot start a new cursor or PredictionEngine; those started before Dispose run to their end. Keep the transformer (or the model that holds it) until its last cursor or PredictionEngine has been created.");

    public static InvalidOperationException NotForecasting(int inputSize, int outputSize, bool bidirectional) =>
        new(Invariant($"A time-series engine needs a one-directional model whose head forecasts the next point's {inputSize} features; this model is {(bidirectional ? "bidirectional" : "one-directional")} with a head of {outputSize} outputs. Train it with LstmObjective.NextStep."));

    public static InvalidOperationException NotOnePointPerStep(int poolingStride, LstmHeadInput headInput) =>
        new(Invariant($"A time-series engine steps the LSTM once per point and forecasts from the last hidden state; this model averages {poolingStride} points per step and its head reads {headInput}. Train it with LstmObjective.NextStep on windows of at most LstmTrainingOptions.MaxSteps points, or with MaxSteps = null."));

    private static ArgumentException TimeSeriesOptionInvalid(string option, string why) =>
        new(Invariant($"LstmTimeSeriesOptions.{option}: {why}."), option);

    public static ArgumentException TrainingPointsNegative(long points) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.TrainingPoints), Invariant($"expected at least 0, found {points}"));

    public static ArgumentException HistoryLengthOutOfRange(int length) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.HistoryLength), Invariant($"expected 2 to {LstmDefaults.MaxHistoryLength}, found {length}"));

    public static ArgumentException AveragingWindowOutOfRange(int window, int historyLength) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.AveragingWindow), Invariant($"expected null (chosen by the error tail) or 1 to HistoryLength ({historyLength}), found {window}"));

    public static ArgumentException WarmUpPointsOutOfRange(int points, int historyLength) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.WarmUpPoints), Invariant($"expected 1 to HistoryLength ({historyLength}), found {points}"));

    public static ArgumentException NoveltyMemoryTooWide(int states, int width) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.NoveltyMemory), Invariant($"expected kept states of L·H = {width} floats to fit one .NET array ({Array.MaxLength:N0} floats), found {states:N0} states of them to keep; keep fewer"));

    public static ArgumentException NoveltyMemoryOutOfRange(int states) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.NoveltyMemory), Invariant($"expected 0 (off) to {LstmDefaults.MaxNoveltyMemory} training states, found {states}"));

    public static ArgumentException ErrorTailUnknown(LstmErrorTail tail) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.ErrorTail), Invariant($"expected null (chosen by the value range and novelty), {nameof(LstmErrorTail.Normal)} or {nameof(LstmErrorTail.Empirical)}, found {(int)tail}"));

    public static ArgumentException ValueRangeToleranceOutOfRange(double tolerance) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.ValueRangeTolerance), Invariant($"expected null (off) or 0 to {LstmDefaults.MaxValueRangeTolerance} (a fraction of the value range), found {tolerance}"));

    public static ArgumentException StepThreadsOutOfRange(int threads) =>
        TimeSeriesOptionInvalid(nameof(LstmTimeSeriesOptions.IntraOpNumThreads), Invariant($"expected 1 to {LstmDefaults.MaxIntraOpThreads} or null, found {threads}"));

    public static ArgumentException PointLength(long point, int inputSize, int length) =>
        new(Invariant($"Point {point}: expected {inputSize} features, found {length}."), "point");

    public static ArgumentException PointNotFinite(long point, int feature, float value) =>
        new(Invariant($"Point {point}, feature {feature}: expected a finite value, found {value}. The engine's state is unchanged; skip or repair the point."), "point");

    public static ArgumentOutOfRangeException DetectorOptionInvalid(string option, string expected, object found) =>
        new(option, Invariant($"LstmAnomalyDetectorOptions.{option}: expected {expected}, found {found}."));

    public static ArgumentException DetectorHistoryShape(int values, int inputSize) =>
        new(Invariant($"Anomaly detector history: expected whole points of InputSize {inputSize} values each, found {values} values ({values % inputSize} left over)."), "history");

    public static ArgumentException DetectorHistoryTooShort(int points, int fewest) =>
        new(Invariant($"Anomaly detector history: expected at least {fewest} points, enough for {fewest - 1} training windows of 2, found {points}."), "history");

    public static ArgumentException DetectorHistoryNotFinite(int point, int feature, float value) =>
        new(Invariant($"Anomaly detector history, point {point}, feature {feature}: expected a finite value, found {value}. Skip or repair the point before fitting."), "history");

    public static ArgumentException PointOverflows(long point, ReadOnlySpan<float> values, string what) =>
        new(Invariant($"Point {point}: its values ({string.Join(", ", Array.ConvertAll(values.ToArray(), v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}) are too large for the model's scaling: {what} would stop being finite. The engine's state is unchanged."), "point");

    public static InvalidDataException CheckpointInvalid(string source, string why, Exception? inner = null) =>
        new(Invariant($"{source}: {why}."), inner);

    public static ObjectDisposedException EngineDisposed() =>
        new(nameof(LstmTimeSeriesEngine), "This LstmTimeSeriesEngine has been disposed: create a new one from the model (and Restore a checkpoint to resume).");

    public static NotSupportedException OnnxExportOperator(string source, string node, string op, string why) =>
        new(Invariant($"ONNX export of the LSTM featurizer: the graph of '{source}' has, in node '{node}' ({op}), {why}. Nothing was exported."));

    public static NotSupportedException OnnxExportInput(string column, string why) =>
        new(Invariant($"ONNX export of the LSTM featurizer: column '{column}' {why}. Nothing was exported; ML.NET's ONNX models take known-size vectors."));

    public static NotSupportedException OnnxExportLengthColumn(string lengthColumn) =>
        new(Invariant($"ONNX export of the LSTM featurizer: the sequences are padded, with their lengths in column '{lengthColumn}'; an exported graph would read the padding as steps. Nothing was exported; export a pipeline whose sequences have one known length."));

    public static NotSupportedException DataViewNotSavable() =>
        new("The LSTM featurizer's transformed view is not saved on its own: save the transformer (mlContext.Model.Save) or export the pipeline (mlContext.Model.ConvertToOnnx).");

    public static NotSupportedException NotQuantizable(string source, string node, string role, string tensor) =>
        new(Invariant($"LstmPrecision.Int8: LSTM node '{node}' of '{source}' reads its {role} from '{tensor}', which is not a 3-D constant of the graph; only constant weights can be quantized when the session is made. Use LstmPrecision.Float32 for this model."));

    public static NotSupportedException Int8OnGpu(int deviceId) =>
        new(Invariant($"LstmPrecision.Int8 runs ONNX Runtime's CPU int8 LSTM; GpuDeviceId is {deviceId}. Use LstmPrecision.Float32 on the GPU, or GpuDeviceId = null."));

    public static InvalidOperationException EngineConvBranch(int layers) =>
        new(Invariant($"A time-series engine steps the LSTM one point at a time; this model has a convolutional branch of {layers} layer(s), which reads the whole sequence at once. Train the engine's model with LstmObjective.NextStep, which trains no branch."));

    public static InvalidOperationException NextStepErrorConvBranch(int layers) =>
        new(Invariant($"Representation NextStepError needs a model whose head forecasts the next step from the LSTM's state alone; this model has a convolutional branch of {layers} layer(s) that its head also reads. Train it with LstmObjective.NextStep, which trains no branch."));

    public static InvalidOperationException HeadNotLastStep(LstmHeadInput headInput) =>
        new(Invariant($"A time-series engine forecasts from the last hidden state; this model's head reads {headInput}, which depends on every point so far. Train it with LstmObjective.NextStep, whose head reads LastStep."));

    // Window-level anomaly trainer (mlContext.AnomalyDetection.Trainers.Lstm).

    public static ArgumentOutOfRangeException AnomalyTrainerOptionInvalid(string option, string expected, object found) =>
        new(option, Invariant($"LstmAnomalyTrainerOptions.{option}: expected {expected}, found {found}."));

    public static InvalidOperationException AnomalyTrainerTooFewRowsToCalibrate(string column, long rows, double fraction) =>
        new(Invariant($"Column '{column}': LstmAnomalyTrainerOptions.CalibrationFraction {fraction} holds out at least {LstmDefaults.MinCalibrationRows} rows to calibrate the score and trains on the rest, at least {LstmDefaults.MinCalibrationRows}; expected at least {2 * LstmDefaults.MinCalibrationRows} rows, found {rows}. Train on more rows, or set CalibrationFraction = 0 to calibrate on the training rows themselves (their errors are in-sample and run low)."));

    public static InvalidOperationException AnomalyTrainerNoNextStep(string column, long rows, int poolingStride) =>
        new(Invariant($"Column '{column}': none of the {rows} rows the score is calibrated on has a next step to forecast (the LSTM reads each as one step: T = 1, or T ≤ its pooling stride of {poolingStride}), so no error calibrates the score; expected rows of at least {poolingStride + 1} steps."));

    public static ArgumentOutOfRangeException AnomalyTrainerInputSizeDisagrees(string column, int annotated, int inputSize) =>
        new(SchemaParameter, Invariant($"Input column '{column}': its {LstmAnnotations.InputSize} annotation says {annotated} features per step, but LstmAnomalyTrainerOptions.InputSize is {inputSize}. Leave InputSize null to take it from the annotation."));

    // DetectAnomalyByLstm: the series in row order.

    public static ArgumentException SeriesInputColumnsEmpty() =>
        new("DetectAnomalyByLstm: expected the names of one or more input columns, one feature each, found none.", "inputColumnNames");

    public static ArgumentException SeriesInputColumnRepeated(string column, int first, int second) =>
        new(Invariant($"DetectAnomalyByLstm: inputColumnNames[{second}] repeats column '{column}' (inputColumnNames[{first}]); expected one column per feature."), "inputColumnNames");

    public static ArgumentOutOfRangeException SeriesInputSize(int inputSize, IReadOnlyList<string> columns) =>
        DetectorOptionInvalid(nameof(LstmAnomalyDetectorOptions.InputSize),
            Invariant($"{(columns.Count == 1 ? "1" : $"1 or {columns.Count}")}, one feature per input column ({string.Join(", ", columns.Select(c => $"'{c}'"))})"), inputSize);

    public static ArgumentOutOfRangeException AlertThresholdOutOfRange(float threshold) =>
        new("alertThreshold", Invariant($"DetectAnomalyByLstm: alertThreshold: expected a score above 0 and at most 1 (scores are in [0, 1]), found {threshold}."));

    public static ArgumentOutOfRangeException SeriesFeatureMissing(string column) =>
        new(SchemaParameter, Invariant($"Input column '{column}' was not found: expected a Single per row (one feature of the series), found no column of that name."));

    public static ArgumentOutOfRangeException SeriesFeatureType(string column, string found) =>
        new(SchemaParameter, Invariant($"Input column '{column}': expected a Single per row (one feature of the series), found {found}."));

    public static ArgumentOutOfRangeException TimestampColumnMissing(string column) =>
        new(SchemaParameter, Invariant($"Timestamp column '{column}' was not found: expected a DateTime or a number per row, found no column of that name."));

    /// <param name="column">The timestamp column.</param>
    /// <param name="fitted">The type of the timestamps Fit read; null while fitting, when any DateTime or number will do.</param>
    /// <param name="found">The column's type.</param>
    public static ArgumentOutOfRangeException TimestampColumnType(string column, string? fitted, string found) =>
        new(SchemaParameter, fitted is null
            ? Invariant($"Timestamp column '{column}': expected a DateTime or a number per row, found {found}.")
            : Invariant($"Timestamp column '{column}': expected a {fitted} per row, the type of the timestamps Fit read, found {found}."));

    public static InvalidOperationException TimestampNotIncreasing(long row, string column, string previous, bool previousIsHistory, string found) =>
        new(Invariant($"Row {row} of timestamp column '{column}': expected a timestamp after {previous} ({(previousIsHistory ? "the last of the history Fit read" : $"row {row - 1}")}), found {found}. The series is read in row order, Transform's rows after Fit's: sort the rows by time and drop repeated timestamps."));

    public static InvalidOperationException TimestampNotOrdered(long row, string column, string found) =>
        new(Invariant($"Row {row} of timestamp column '{column}': expected a timestamp, found {found}."));

    public static InvalidOperationException SeriesRowNotFinite(long row, string column, float value) =>
        new(Invariant($"Row {row} of column '{column}': expected a finite value, found {value}. The series is scored in row order, each row from the state the rows before it left, so a row cannot be skipped: replace missing values first (e.g. mlContext.Transforms.ReplaceMissingValues)."));

    public static InvalidOperationException SeriesRowRefused(long row, IReadOnlyList<string> columns, ArgumentException inner) =>
        new(Invariant($"Row {row} of column(s) {string.Join(", ", columns.Select(c => $"'{c}'"))} was refused by the detector: {inner.Message}"), inner);

    public static NotSupportedException AnomalyNoRowToRowMapper() =>
        new("DetectAnomalyByLstm scores a series in row order, each row from the state the rows before it left, so it cannot map a row on its own: it has no row-to-row mapper, and PredictionEngine is not supported. Transform the rows in order, or stream live points through mlContext.AnomalyDetection.CreateLstmDetector's engine.");

    public static ObjectDisposedException AnomalyTransformerDisposed() =>
        new(nameof(LstmAnomalyTransformer), "This LstmAnomalyTransformer has been disposed, so it cannot start a new cursor; those started before Dispose run to their end.");

    public static InvalidDataException AnomalyModelZipDamaged() =>
        new("The LSTM anomaly detector in this model.zip is damaged: its ONNX graph does not match the checksum saved with it.");
}

using Microsoft.ML;
using MLNet.Lstm.MLNetInternals;

namespace MLNet.Lstm;

/// <summary>The entry point: LSTM featurizers on <c>mlContext.Transforms</c>.</summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(inputSize: 1, hiddenSize: 32));
/// </code>
/// </example>
public static class LstmCatalog
{
    /// <summary>
    /// Appends the LSTM representation of each row's sequence as a known-size vector of Single,
    /// computed by <paramref name="model"/> in ONNX Runtime.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="model">The LSTM, e.g. <see cref="LstmModel.CreateRandom"/> or <see cref="LstmModel.FromOnnx(string)"/>.</param>
    /// <param name="options">Columns, representation and batch size; null for the defaults (Sequence → Features, LastHidden).</param>
    /// <example>
    /// <code>
    /// var mlContext = new MLContext(seed: 1);
    /// var data = mlContext.Data.LoadFromEnumerable(rows); // rows have float[] Sequence ([VectorType(10)])
    /// var pipeline = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 32))
    ///     .AppendCacheCheckpoint(mlContext)
    ///     .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
    /// var trained = pipeline.Fit(data);
    /// </code>
    /// </example>
    public static LstmFeaturizerEstimator LstmFeaturizeSequence(this TransformsCatalog catalog,
        LstmModel model, LstmFeaturizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return new LstmFeaturizerEstimator(MLNetEnvironment.Of(catalog), model, options ?? new LstmFeaturizerOptions());
    }

    /// <summary>
    /// Appends the LSTM representation computed by the ONNX model in <paramref name="modelFile"/>,
    /// e.g. one written by PyTorch's <c>torch.onnx.export</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The column to append.</param>
    /// <param name="inputColumnName">The column holding T × F values per row, time-major.</param>
    /// <param name="modelFile">Path of the .onnx file.</param>
    /// <param name="representation">What to hand on per sequence.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not ONNX, or holds no usable LSTM.</exception>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.LstmFeaturizeSequence("Features", "Sequence", "lstm.onnx",
    ///     LstmRepresentation.MeanHidden);
    /// </code>
    /// </example>
    public static LstmFeaturizerEstimator LstmFeaturizeSequence(this TransformsCatalog catalog,
        string outputColumnName, string inputColumnName, string modelFile,
        LstmRepresentation representation = LstmRepresentation.LastMeanMax)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.LstmFeaturizeSequence(LstmModel.FromOnnx(modelFile), new LstmFeaturizerOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnNames = [inputColumnName],
            Representation = representation,
        });
    }

    /// <summary>
    /// Trains an LSTM on the data during <c>Fit</c> (see <see cref="LstmTrainingOptions"/>), then
    /// appends its representation like any other featurizer. The trained model (LSTM and head)
    /// is <see cref="LstmFeaturizerTransformer.Model"/>: save it as ONNX, or reuse it elsewhere.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="training">The objective, label, architecture and optimisation settings.</param>
    /// <param name="options">Columns, representation and batch size; null for the defaults.</param>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    ///     .Append(mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions
    ///     {
    ///         Objective = LstmObjective.Classification,
    ///         LabelColumnName = "Label",
    ///         HiddenSize = 32,
    ///     }))
    ///     .AppendCacheCheckpoint(mlContext)
    ///     .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
    /// </code>
    /// </example>
    public static LstmFeaturizerEstimator LstmFeaturizeSequence(this TransformsCatalog catalog,
        LstmTrainingOptions training, LstmFeaturizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(training);
        return new LstmFeaturizerEstimator(MLNetEnvironment.Of(catalog), training, options ?? new LstmFeaturizerOptions());
    }
}

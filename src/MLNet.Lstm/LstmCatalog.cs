using Microsoft.ML;
using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;
using static System.FormattableString;

namespace MLNet.Lstm;

/// <summary>The entry point: LSTM featurizers and the series anomaly detector on <c>mlContext.Transforms</c>.</summary>
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

    /// <summary>
    /// Anomaly detection over a series held in row order (one point per row), as ML.NET's
    /// <c>DetectIidSpike</c> does it: Fit reads every row as the series' history and trains the
    /// next-step forecaster of <see cref="LstmAnomalyDetectionCatalog.CreateLstmDetector"/> on it;
    /// Transform scores its rows, in row order, as the continuation of that history, and appends
    /// a vector of 3 Single: [Alert, Score, Error] (slot names "Alert", "Score", "Error"). Score is
    /// the engine's anomaly score in [0, 1] (<see cref="LstmTimeSeriesPrediction.Score"/>), Error the
    /// squared forecast error, Alert 1 where Score ≥ <paramref name="alertThreshold"/>, else 0. The
    /// first <see cref="LstmTimeSeriesOptions.WarmUpPoints"/> + 1 (51) rows after the history score 0
    /// under the defaults, while the error history fills with means of two errors (WarmUpPoints +
    /// <see cref="LstmTimeSeriesOptions.AveragingWindow"/> − 1 rows in general), however short the data.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The [Alert, Score, Error] column to append.</param>
    /// <param name="inputColumnName">The series: a Single per row.</param>
    /// <param name="options">The forecaster's training and the scoring; null for the defaults. Its <see cref="LstmAnomalyDetectorOptions.InputSize"/> must be 1.</param>
    /// <param name="timestampColumnName">A DateTime or numeric column whose values must strictly increase from row to row (Fit's history, then each Transform's rows after the history's last); null for none.</param>
    /// <param name="alertThreshold">The score from which a row is an alert, above 0 and at most 1.</param>
    /// <returns>The estimator; Fit needs at least 5 rows.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option or the threshold is out of range.</exception>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", "Value", timestampColumnName: "Time");
    /// using var detector = pipeline.Fit(history);              // trains on the history's rows, in order
    /// float[][] scored = detector.Transform(latest)            // scores the rows after it
    ///     .GetColumn&lt;float[]&gt;("Anomaly").ToArray();          // [Alert, Score, Error] per row
    /// </code>
    /// </example>
    public static LstmAnomalyEstimator DetectAnomalyByLstm(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        LstmAnomalyDetectorOptions? options = null, string? timestampColumnName = null, float alertThreshold = LstmDefaults.AnomalyAlertScore)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        return catalog.DetectAnomalyByLstm(outputColumnName, [inputColumnName], options, timestampColumnName, alertThreshold);
    }

    /// <summary>
    /// Anomaly detection over a multivariate series held in row order: each row is one point,
    /// and each of <paramref name="inputColumnNames"/> one of its features (F = their number).
    /// Otherwise as <see cref="DetectAnomalyByLstm(TransformsCatalog, string, string, LstmAnomalyDetectorOptions?, string?, float)"/>:
    /// one forecaster for all features, one score per row.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The [Alert, Score, Error] column to append.</param>
    /// <param name="inputColumnNames">The series' features: a Single column each, each named once.</param>
    /// <param name="options">The forecaster's training and the scoring; null for the defaults. Its <see cref="LstmAnomalyDetectorOptions.InputSize"/> must be 1 (taken as the number of columns) or the number of columns.</param>
    /// <param name="timestampColumnName">A DateTime or numeric column whose values must strictly increase from row to row; null for none.</param>
    /// <param name="alertThreshold">The score from which a row is an alert, above 0 and at most 1.</param>
    /// <returns>The estimator; Fit needs at least 5 rows.</returns>
    /// <exception cref="ArgumentException">No input column, or one named twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or the threshold is out of range.</exception>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.DetectAnomalyByLstm("Anomaly", ["Temperature", "Pressure", "Vibration"]);
    /// using var detector = pipeline.Fit(history);
    /// </code>
    /// </example>
    public static LstmAnomalyEstimator DetectAnomalyByLstm(this TransformsCatalog catalog, string outputColumnName, string[] inputColumnNames,
        LstmAnomalyDetectorOptions? options = null, string? timestampColumnName = null, float alertThreshold = LstmDefaults.AnomalyAlertScore)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        if (inputColumnNames.Length == 0)
        {
            throw LstmThrow.SeriesInputColumnsEmpty();
        }
        for (int i = 0; i < inputColumnNames.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(inputColumnNames[i], Invariant($"{nameof(inputColumnNames)}[{i}]"));
            int first = Array.IndexOf(inputColumnNames, inputColumnNames[i]);
            if (first < i)
            {
                throw LstmThrow.SeriesInputColumnRepeated(inputColumnNames[i], first, i);
            }
        }
        if (timestampColumnName is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(timestampColumnName);
        }
        options ??= new LstmAnomalyDetectorOptions();
        int features = inputColumnNames.Length;
        if (options.InputSize != 1 && options.InputSize != features)
        {
            throw LstmThrow.SeriesInputSize(options.InputSize, inputColumnNames);
        }
        // Negated, so that NaN fails too.
        if (!(alertThreshold > 0 && alertThreshold <= 1))
        {
            throw LstmThrow.AlertThresholdOutOfRange(alertThreshold);
        }
        return new LstmAnomalyEstimator(MLNetEnvironment.Of(catalog), new AnomalyColumns(outputColumnName, [.. inputColumnNames], timestampColumnName),
            options.WithInputSize(features), alertThreshold);
    }
}

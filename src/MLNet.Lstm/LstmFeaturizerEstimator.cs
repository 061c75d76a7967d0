using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm;

/// <summary>
/// Turns sequences into LSTM representations inside an ML.NET pipeline. Create it with
/// <see cref="LstmCatalog.LstmFeaturizeSequence(TransformsCatalog, LstmModel, LstmFeaturizerOptions?)"/>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Needs to look at the data to train</term><description>No (the LSTM is given).</description></item>
/// <item><term>Input column</term><description>A vector of Single holding T × F values time-major, or F such vectors of T values; known-size, or variable-size for sequences of different lengths.</description></item>
/// <item><term>Output column</term><description>A known-size vector of Single (see <see cref="LstmRepresentation"/>).</description></item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.LstmFeaturizeSequence(LstmModel.CreateRandom(1, 32))
///     .AppendCacheCheckpoint(mlContext)
///     .Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression());
/// var model = pipeline.Fit(trainData);
/// </code>
/// </example>
public sealed class LstmFeaturizerEstimator : IEstimator<LstmFeaturizerTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly LstmModel? _model;
    private readonly LstmTrainingOptions? _training;
    private readonly LstmFeaturizerOptions _options;

    internal LstmFeaturizerEstimator(IHostEnvironment env, LstmModel model, LstmFeaturizerOptions options)
    {
        _env = env;
        _model = model;
        _options = options.Validated();
        if (_options.Representation == LstmRepresentation.ModelOutput && model.OutputSize == 0)
        {
            throw LstmThrow.NoHead(model.Graph.OutputShape);
        }
        if (_options.Representation == LstmRepresentation.NextStepError)
        {
            // Rewriting now raises a clear error here, at construction, for a model without a forecasting head.
            model.ToRepresentationGraph(LstmRepresentation.NextStepError);
        }
    }

    internal LstmFeaturizerEstimator(IHostEnvironment env, LstmTrainingOptions training, LstmFeaturizerOptions options)
    {
        _env = env;
        _options = options.Validated();
        _training = training.Validated().For(_options.Representation);
        TrainingObjective.For(_training.Objective).RequireGives(_options.Representation);
    }

    /// <summary>
    /// Checks the data's schema and returns the transformer. With training options, first
    /// trains the LSTM on <paramref name="input"/> (see <see cref="LstmTrainingOptions"/>).
    /// </summary>
    /// <param name="input">The data holding the sequence column(s) (and the label, when training needs one).</param>
    /// <exception cref="ArgumentOutOfRangeException">An input or label column is missing or of the wrong type or length.</exception>
    /// <example>
    /// <code>
    /// using var transformer = mlContext.Transforms.LstmFeaturizeSequence(model).Fit(data);
    /// </code>
    /// </example>
    public LstmFeaturizerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = _model ?? Trained(input, _training!);
        if (_options.Representation == LstmRepresentation.ModelOutput && model.OutputSize == 0)
        {
            throw LstmThrow.NoHead(model.Graph.OutputShape);
        }
        var transformer = new LstmFeaturizerTransformer(_env, model, _options);
        try
        {
            transformer.GetOutputSchema(input.Schema);
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
        return transformer;
    }

    /// <summary>The LSTM trained on <paramref name="input"/>, as a graph.</summary>
    private LstmModel Trained(IDataView input, LstmTrainingOptions training)
    {
        var binding = SequenceInputBinding.Create(input.Schema, _options, training.InputSizeFor(_options, input.Schema));
        var weights = LstmTrainer.Train(_env, input, training, binding, training.InitialModel?.ToPretrained());
        var model = LstmModel.FromWeights(weights);
        if (!training.StandardizesFeatures(TrainingObjective.For(training.Objective)))
        {
            return model;
        }
        var (offset, scale) = FeatureStandardization.Measure(_env, model, input, _options, training.FeatureDeviation);
        return LstmModel.FromWeights(new LstmWeights(weights) { FeatureOffset = offset, FeatureScale = scale });
    }

    /// <summary>The input schema shape with the representation column (a vector of Single) appended.</summary>
    /// <param name="inputSchema">The shape of the data the pipeline will see.</param>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or not a vector of Single.</exception>
    /// <example>
    /// <code>
    /// // ML.NET's pipelines call this to check a chain before fitting it.
    /// SchemaShape output = estimator.GetOutputSchema(inputShape);
    /// </code>
    /// </example>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        LstmSchemaShapes.AppendFeatures(inputSchema, _options, _model?.InputSize ?? _training!.InputSizeFor(_options));
}

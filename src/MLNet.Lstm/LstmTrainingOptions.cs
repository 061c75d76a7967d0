using Microsoft.ML;
using MLNet.Lstm.Data;

namespace MLNet.Lstm;

/// <summary>
/// How the featurizer trains its LSTM inside <c>Fit</c>, in .NET (no Python, no native code
/// beyond ONNX Runtime): backpropagation through time and Adam, as PyTorch does them. The
/// trained LSTM (with its head) is then an <see cref="LstmModel"/> like any other.
/// </summary>
/// <example>
/// <code>
/// var training = new LstmTrainingOptions
/// {
///     Objective = LstmObjective.Classification,
///     LabelColumnName = "Label",
///     HiddenSize = 32,
///     Epochs = 30,
/// };
/// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
///     .Append(mlContext.Transforms.LstmFeaturizeSequence(training))
///     .AppendCacheCheckpoint(mlContext)
///     .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
/// </code>
/// </example>
public sealed class LstmTrainingOptions
{
    /// <summary>What the LSTM learns. Default <see cref="LstmObjective.NextStep"/> (needs no label).</summary>
    public LstmObjective Objective { get; set; } = LstmObjective.NextStep;

    /// <summary>
    /// The label column. Classification: key-typed (<c>MapValueToKey</c>) or Boolean.
    /// Regression: Single or a known-size vector of Single. NextStep: none.
    /// </summary>
    public string? LabelColumnName { get; set; }

    /// <summary>
    /// Features per step (F) when one column holds T × F values. Null (default): the column's
    /// <see cref="LstmAnnotations.InputSize"/> annotation (<c>LoadFromTsFile</c> writes it), else 1;
    /// a value that disagrees with the annotation is refused at <c>Fit</c>. Ignored with one
    /// column per feature (F is their count) or with an <see cref="InitialModel"/>.
    /// </summary>
    public int? InputSize { get; set; }

    /// <summary>Hidden units per direction. Default 64.</summary>
    public int HiddenSize { get; set; } = 64;

    /// <summary>Stacked LSTM layers. Default 1.</summary>
    public int NumLayers { get; set; } = 1;

    /// <summary>Whether each layer also reads the sequence backwards (not with <see cref="LstmObjective.NextStep"/>).</summary>
    public bool Bidirectional { get; set; }

    /// <summary>
    /// Added to the forget gates' bias when the LSTM starts from random weights (not with an
    /// <see cref="InitialModel"/>), so that it starts out remembering: with PyTorch's plain
    /// initialisation the forget gate is ½ and a signal fades by 2⁻ᵀ, too fast to learn
    /// dependencies over 50 steps. Default 1, as Jozefowicz et al. (2015) and Keras's
    /// unit_forget_bias; 0 gives PyTorch's initialisation exactly.
    /// </summary>
    public float ForgetGateBias { get; set; } = 1f;

    /// <summary>Passes over the training rows, at most (early stopping may end sooner). Default 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary>Sequences per gradient step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Adam's learning rate. Default 1e-3 (larger rates failed on some seeds in our measurements).</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Clip the gradient's global norm to this before each step; null for no clipping. Default 1.</summary>
    public float? GradientClipNorm { get; set; } = 1f;

    /// <summary>Shuffle the training rows every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seed of the initial weights, the validation split and the shuffling. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Share of the rows held out to measure validation loss (for early stopping). Default 0.1; 0 for none.</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// best epoch's weights; null to run every epoch. Default 5.
    /// </summary>
    public int? EarlyStoppingPatience { get; set; } = 5;

    /// <summary>
    /// Start from this model instead of random weights (fine-tuning, e.g. a PyTorch export).
    /// Its architecture wins over <see cref="HiddenSize"/>, <see cref="NumLayers"/> and
    /// <see cref="Bidirectional"/>; its head is kept when its size fits the objective, else replaced.
    /// </summary>
    public LstmModel? InitialModel { get; set; }

    /// <summary>
    /// Stops training (with <see cref="OperationCanceledException"/>) between two batches once
    /// cancelled, e.g. from a Ctrl-C handler. ML.NET's own cancellation (what AutoML uses) is honoured too.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Receives one report per epoch: epoch, loss, validation loss, elapsed time.</summary>
    public IProgress<LstmTrainingProgress>? Progress { get; set; }

    /// <summary>
    /// F for training: the initial model's, else the feature columns' count, else <see cref="InputSize"/>,
    /// else the sequence column's annotation in <paramref name="schema"/>, else 1.
    /// </summary>
    internal int InputSizeFor(LstmFeaturizerOptions featurizer, DataViewSchema? schema = null)
    {
        if (InitialModel is not null || featurizer.InputColumnNames.Length > 1)
        {
            return InitialModel?.InputSize ?? featurizer.InputColumnNames.Length;
        }
        int? annotated = schema is null ? null : InputSizeAnnotation.Read(schema, featurizer.InputColumnNames);
        if (InputSize is int size && annotated is int declared && size != declared)
        {
            throw LstmThrow.InputSizeDisagreesWithOption(featurizer.InputColumnNames[0], declared, size);
        }
        return InputSize ?? annotated ?? 1;
    }

    internal LstmTrainingOptions Validated()
    {
        if (Epochs < 1) throw LstmThrow.TrainingOptionInvalid(nameof(Epochs), $"expected at least 1, found {Epochs}");
        if (BatchSize < 1) throw LstmThrow.TrainingOptionInvalid(nameof(BatchSize), $"expected at least 1, found {BatchSize}");
        if (HiddenSize < 1) throw LstmThrow.TrainingOptionInvalid(nameof(HiddenSize), $"expected at least 1, found {HiddenSize}");
        if (NumLayers < 1) throw LstmThrow.TrainingOptionInvalid(nameof(NumLayers), $"expected at least 1, found {NumLayers}");
        if (InputSize is int inputSize && inputSize < 1) throw LstmThrow.TrainingOptionInvalid(nameof(InputSize), $"expected null (from the data) or at least 1, found {inputSize}");
        if (!(LearningRate > 0)) throw LstmThrow.TrainingOptionInvalid(nameof(LearningRate), $"expected a positive rate, found {LearningRate}");
        if (GradientClipNorm is float clip && !(clip > 0)) throw LstmThrow.TrainingOptionInvalid(nameof(GradientClipNorm), $"expected null or a positive norm, found {clip}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw LstmThrow.TrainingOptionInvalid(nameof(ValidationFraction), $"expected a share from 0 up to (not including) 1, found {ValidationFraction}");
        if (EarlyStoppingPatience is int patience && patience < 1) throw LstmThrow.TrainingOptionInvalid(nameof(EarlyStoppingPatience), $"expected null or at least 1 epoch, found {patience}");
        bool bidirectional = InitialModel?.Bidirectional ?? Bidirectional;
        if (Objective == LstmObjective.NextStep && bidirectional) throw LstmThrow.TrainingOptionInvalid(nameof(Bidirectional), "the NextStep objective predicts the next step, which a backward direction has already read; expected false, found true");
        if (Objective != LstmObjective.NextStep && string.IsNullOrWhiteSpace(LabelColumnName)) throw LstmThrow.LabelMissing(Objective);
        return this;
    }
}

/// <summary>One epoch of training, as reported to <see cref="LstmTrainingOptions.Progress"/>.</summary>
/// <param name="Epoch">1 for the first epoch.</param>
/// <param name="Loss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Loss on the held-out rows after the epoch; null without validation rows.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <example>
/// <code>
/// var training = new LstmTrainingOptions
/// {
///     Progress = new Progress&lt;LstmTrainingProgress&gt;(p => Console.WriteLine($"epoch {p.Epoch}: {p.Loss:F4}")),
/// };
/// </code>
/// </example>
public sealed record LstmTrainingProgress(int Epoch, double Loss, double? ValidationLoss, TimeSpan Elapsed);

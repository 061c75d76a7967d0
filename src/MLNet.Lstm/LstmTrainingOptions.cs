using Microsoft.ML;
using MLNet.Lstm.Data;
using MLNet.Lstm.Training;
using MLNet.Lstm.Training.Objectives;

namespace MLNet.Lstm;

/// <summary>
/// How the featurizer trains its LSTM inside <c>Fit</c>, in .NET (no Python, no native code
/// beyond ONNX Runtime): backpropagation through time and Adam, as PyTorch does them. The
/// trained LSTM (with its head) is then an <see cref="LstmModel"/> like any other. The estimator
/// checks and copies these options when it is built: changing them afterwards does not change
/// what its <c>Fit</c> does.
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
    public LstmObjective Objective { get; set; } = LstmDefaults.Objective;

    /// <summary>
    /// The label column. Classification: key-typed (<c>MapValueToKey</c>) or Boolean.
    /// Regression: Single or a known-size vector of Single. NextStep: none (ignored).
    /// Reconstruction: none (refused).
    /// </summary>
    public string? LabelColumnName { get; set; }

    /// <summary>
    /// Features per step (F) when one column holds T × F values. Null (default): the column's
    /// <see cref="LstmAnnotations.InputSize"/> annotation (<c>LoadFromTsFile</c> writes it), else 1;
    /// a value that disagrees with the annotation is refused at <c>Fit</c>. Ignored with one
    /// column per feature (F is their count) or with an <see cref="InitialModel"/>.
    /// </summary>
    public int? InputSize { get; set; }

    /// <summary>Hidden units per direction, all <see cref="EnsembleSize"/> members together. Default 64; at most 23,170.</summary>
    public int HiddenSize { get; set; } = LstmDefaults.HiddenSize;

    /// <summary>
    /// LSTMs that share <see cref="HiddenSize"/>'s units, trained side by side from different
    /// initial weights, each with its own head: an ensemble. The exported model is one LSTM node
    /// of HiddenSize units whose weights keep the members apart (block-diagonal), so ONNX Runtime
    /// and PyTorch-side tools run it as any LSTM, at the cost of one LSTM of that size; its
    /// representation holds every member's and its head averages theirs. Default null: 2 for
    /// Classification and Regression when HiddenSize is even and at least 32 (members of 16
    /// units or more), else 1 (always 1 for NextStep, Reconstruction and with an <see cref="InitialModel"/>).
    /// On the UCR suite 2 × 32 units matched 1 × 64 on the mean and were at or above 1-NN DTW
    /// on 2–3 more sets, seed after seed.
    /// </summary>
    public int? EnsembleSize { get; set; }

    /// <summary>Stacked LSTM layers. Default 1.</summary>
    public int NumLayers { get; set; } = LstmDefaults.NumLayers;

    /// <summary>Whether each layer also reads the sequence backwards (not with <see cref="LstmObjective.NextStep"/>).</summary>
    public bool Bidirectional { get; set; }

    /// <summary>
    /// Output channels of each layer of a convolutional branch trained beside the LSTM (1-D
    /// convolutions with ReLU, as in LSTM-FCN; see <see cref="LstmWeights.GetConvLayer"/>): it reads
    /// the sequence the LSTM reads, its last layer is averaged over time, and the head (and the
    /// <see cref="LstmRepresentation.LastMeanMax"/> features) read it after the LSTM's values.
    /// Default null: 32, 64 and 128 channels (<see cref="LstmDefaults.ConvChannels"/>) for Classification and Regression, none
    /// for NextStep and Reconstruction, whose heads read single steps. An empty array trains no
    /// branch. With an <see cref="InitialModel"/>, the model's own branch is kept. Chosen on the
    /// 44-set UCR suite (BENCHMARKS.md): a branch of 32-64-32 took the mean from 0.809 to 0.835,
    /// a last layer of 128 channels (128 features instead of 32) to 0.843.
    /// </summary>
    /// <example>
    /// <code>
    /// var lstmOnly = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvChannels = [] };
    /// var wider = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvChannels = [64, 128, 64] };
    /// </code>
    /// </example>
    public int[]? ConvChannels { get; set; }

    /// <summary>
    /// Steps each convolutional layer's filters span, one per <see cref="ConvChannels"/> entry.
    /// Default null: 8, 5 and 3 steps for the first three layers and 3 for any further one
    /// (<see cref="LstmDefaults.ConvKernelSizes"/>, as many as <see cref="ConvChannels"/> has layers), each shortened to the training
    /// sequences' median length (after <see cref="ConvMaxSteps"/>' pooling) when that is shorter. A kernel
    /// set here that is longer than that median is refused at <c>Fit</c>; a shorter row is read with
    /// zero padding on both sides, as PyTorch's <c>padding='same'</c> reads it.
    /// </summary>
    /// <example>
    /// <code>
    /// var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvChannels = [32, 32], ConvKernelSizes = [9, 3] };
    /// </code>
    /// </example>
    public int[]? ConvKernelSizes { get; set; }

    /// <summary>
    /// Added to the forget gates' bias when the LSTM starts from random weights (not with an
    /// <see cref="InitialModel"/>), so that it starts out remembering: with PyTorch's plain
    /// initialisation the forget gate is ½ and a signal fades by 2⁻ᵀ, too fast to learn
    /// dependencies over 50 steps. Default 1, as Jozefowicz et al. (2015) and Keras's
    /// unit_forget_bias; 0 gives PyTorch's initialisation exactly. Must be finite.
    /// </summary>
    public float ForgetGateBias { get; set; } = LstmDefaults.ForgetGateBias;

    /// <summary>
    /// Passes over the training rows, at most (early stopping may end sooner). Default null:
    /// as many as give about <see cref="LstmDefaults.OptimizerSteps"/> gradient steps, from
    /// <see cref="LstmDefaults.MinEpochs"/> to <see cref="LstmDefaults.MaxEpochs"/> epochs — a
    /// 20-row set then gets as many updates as a 600-row one, where a fixed epoch count would
    /// give it a handful.
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>Sequences per gradient step. Default 16.</summary>
    public int BatchSize { get; set; } = LstmDefaults.TrainingBatchSize;

    /// <summary>
    /// Adam's (peak) learning rate. Default 1e-2, decayed by <see cref="LearningRateSchedule"/>;
    /// positive and finite. A rate so high that training diverges (the loss, a gradient or a
    /// parameter becomes NaN or infinity) stops <c>Fit</c> with an
    /// <see cref="InvalidOperationException"/> naming the epoch and batch, not a broken model.
    /// </summary>
    public float LearningRate { get; set; } = LstmDefaults.LearningRate;

    /// <summary>How the learning rate changes over training. Default <see cref="LstmLearningRateSchedule.Cosine"/>.</summary>
    public LstmLearningRateSchedule LearningRateSchedule { get; set; } = LstmDefaults.LearningRateSchedule;

    /// <summary>
    /// AdamW's decoupled weight decay: every step shrinks each parameter by learning rate × this.
    /// Default 1e-2 (torch.optim.AdamW's); 0 for plain Adam.
    /// </summary>
    public float WeightDecay { get; set; } = LstmDefaults.WeightDecay;

    /// <summary>
    /// Share of the head's inputs zeroed at random in each training step (inverted dropout), so
    /// that no single unit of the representation carries a class alone. Default 0.2; 0 for none.
    /// The exported model has no dropout.
    /// </summary>
    public float Dropout { get; set; } = LstmDefaults.Dropout;

    /// <summary>
    /// What the classification or regression head reads. Default <see cref="LstmHeadInput.LastMeanMax"/>,
    /// the default representation: the classifier after the featurizer then reads what the head
    /// was trained on. NextStep always forecasts from each step; Reconstruction always reads the last step.
    /// </summary>
    public LstmHeadInput HeadInput { get; set; } = LstmDefaults.HeadInput;

    /// <summary>
    /// Learn each feature's mean and standard deviation from the training rows and standardize
    /// the input with them, as nodes of the model's graph (<see cref="LstmWeights.InputOffset"/>),
    /// so scoring, model.zip and ONNX exports apply the same scaling. Default true. Not with an
    /// <see cref="InitialModel"/>, whose own preprocessing is kept.
    /// </summary>
    public bool Standardize { get; set; } = true;

    /// <summary>
    /// Longest sequence, in steps, the LSTM reads: when the training rows' median length is longer,
    /// consecutive steps are averaged (the same stride for every row, a node of the graph, see
    /// <see cref="LstmWeights.PoolingStride"/>) down to at most this many; the convolutional branch
    /// reads the same steps unless <see cref="ConvMaxSteps"/> says otherwise. Default 64; null reads
    /// every step. Not with an <see cref="InitialModel"/>, whose own preprocessing is kept. A
    /// forecaster for <see cref="LstmTimeSeriesEngine"/> must read every point: train it on windows
    /// of at most this many points, or set null.
    /// </summary>
    public int? MaxSteps { get; set; } = LstmDefaults.MaxSteps;

    /// <summary>
    /// Longest sequence, in steps, the convolutional branch (<see cref="ConvChannels"/>) reads: as
    /// <see cref="MaxSteps"/> does for the LSTM, consecutive steps are averaged (see
    /// <see cref="LstmWeights.ConvPoolingStride"/>) down to at most this many, so the branch can
    /// read a finer (or coarser) scale than the LSTM. Default null: <see cref="MaxSteps"/>' length,
    /// the branch reading what the LSTM reads; <see cref="int.MaxValue"/> reads every step. Chosen on
    /// the 44-set UCR suite (BENCHMARKS.md): 128 gave a mean of 0.835 and 29 sets at 1-NN DTW, 32
    /// gave 0.823 and 33, the LSTM's 64 gives 0.835 and 35. Not with an <see cref="InitialModel"/>,
    /// whose own preprocessing is kept.
    /// </summary>
    /// <example>
    /// <code>
    /// // 2,000-step series: the LSTM reads 64 averaged steps, the branch 256.
    /// var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvMaxSteps = 256 };
    /// </code>
    /// </example>
    public int? ConvMaxSteps { get; set; }

    /// <summary>
    /// Whether the convolutional branch's features add its mean over the first and over the last
    /// half of the steps beside its mean over all of them (<see cref="LstmWeights.ConvHalves"/>):
    /// three times its last layer's channels, so the head and the classifier after the featurizer
    /// see where in the sequence a shape occurs, not only whether it does. Default null:
    /// <see cref="LstmDefaults.ConvHalves"/>. With an <see cref="InitialModel"/>, the model's own
    /// branch is kept. Measured on the 44-set UCR suite (BENCHMARKS.md): with the default 32-64-128
    /// branch, the halves gave a mean of 0.839 and 34 sets at 1-NN DTW against 0.843 and 35 without.
    /// </summary>
    /// <example>
    /// <code>
    /// var where = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", ConvHalves = true }; // where in the row a shape occurs matters
    /// </code>
    /// </example>
    public bool? ConvHalves { get; set; }

    /// <summary>
    /// MiniRocket's features beside the LSTM's (<see cref="LstmWeights.KernelBanks"/>): the 84 fixed
    /// kernels of 9 taps at dilations up to the shortest training row's span, thresholds from
    /// quantiles of the convolutions of random training rows (one row per kernel and dilation, drawn
    /// from <see cref="LstmDefaults.KernelSeed"/>), each feature the share of steps above a threshold
    /// (standardized with the others by <see cref="StandardizeFeatures"/>). They join the
    /// <see cref="LstmRepresentation.LastMeanMax"/> features; the head does not read them. Rounded down
    /// to a multiple of 84, at most <see cref="LstmDefaults.MaxKernelFeatures"/>. Default null:
    /// <see cref="LstmDefaults.KernelFeatures"/> (3,948) for Classification and Regression when the
    /// featurizer reads LastMeanMax, none otherwise; 0 for none. A fine-tuned <see cref="InitialModel"/>
    /// gets its banks fit anew from the new rows. The README's options table gives the UCR figure that chose the default.
    /// </summary>
    /// <example>
    /// <code>
    /// var lstmOnly = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", KernelFeatures = 0 };
    /// </code>
    /// </example>
    public int? KernelFeatures { get; set; }

    /// <summary>
    /// Whether training ends by standardizing the <see cref="LstmRepresentation.LastMeanMax"/> features
    /// over the training rows (<see cref="LstmWeights.FeatureOffset"/>, <see cref="LstmWeights.FeatureScale"/>):
    /// the featurizer runs the trained model over them once, and every feature it then gives has mean
    /// 0 and deviation <see cref="FeatureDeviation"/> (by default 1/√D for D features) on those rows (a feature that varies less than <see cref="LstmDefaults.FeatureDeviationFloor"/>
    /// is divided by that instead, so it stays small), so a trainer after it (SDCA's
    /// regularization, say) weighs the LSTM's values, the branch's and the kernel features alike.
    /// Default null: <see cref="LstmDefaults.StandardizeFeatures"/> for Classification and Regression
    /// when the featurizer reads LastMeanMax; the other objectives refuse true.
    /// </summary>
    /// <example>
    /// <code>
    /// var raw = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", StandardizeFeatures = false };
    /// </code>
    /// </example>
    public bool? StandardizeFeatures { get; set; }

    /// <summary>
    /// The deviation every standardized feature gets over the training rows
    /// (<see cref="StandardizeFeatures"/>), which sets how strongly a regularized trainer after the
    /// featurizer holds its weights back: ML.NET's SDCA picks its L2 from the row count alone, so
    /// a few thousand features of deviation 1 each leave it barely regularized, and it then takes
    /// many passes to fit the training rows exactly. Default null: 1/√(the number of features),
    /// so the whole feature vector has deviation 1 however many features the model gives
    /// (<see cref="LstmDefaults.FeatureVectorDeviation"/>). A trainer with a fixed regularization, such as
    /// LbfgsMaximumEntropy (L1 and L2 1), reads features this small as barely worth a weight: give it 1.
    /// Regression's default is the same and was not measured apart. From 10⁻⁶ to 10⁶; refused where
    /// nothing is standardized (StandardizeFeatures false, the NextStep and Reconstruction objectives,
    /// another representation than LastMeanMax).
    /// The README's options table gives the UCR figure that chose the default.
    /// </summary>
    /// <example>
    /// <code>
    /// var unit = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", FeatureDeviation = 1 }; // for LbfgsMaximumEntropy: each feature of deviation 1
    /// </code>
    /// </example>
    public double? FeatureDeviation { get; set; }

    /// <summary>
    /// Standard deviation of the Gaussian noise added to every value of every training batch (after
    /// standardization and pooling; validation rows are read as they are), drawn anew each step from
    /// <see cref="Seed"/>. Default 0, none: on the 44-set UCR suite (BENCHMARKS.md) augmentation did
    /// not win. Finite, at least 0.
    /// </summary>
    /// <example>
    /// <code>
    /// var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", AugmentJitter = 0.03f, AugmentScaling = 0.1f };
    /// </code>
    /// </example>
    public float AugmentJitter { get; set; }

    /// <summary>
    /// Standard deviation of the factor around 1 that multiplies each training row of each batch (all
    /// its steps and features, after standardization), drawn anew each step. Default 0, none. Finite, at least 0.
    /// </summary>
    /// <example>
    /// <code>
    /// var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", AugmentScaling = 0.1f };
    /// </code>
    /// </example>
    public float AugmentScaling { get; set; }

    /// <summary>
    /// Share of each training batch's steps cut away (window slicing): every row keeps one window of
    /// the remaining length at its own random offset, drawn anew each step, never shorter than one
    /// step (two for <see cref="LstmObjective.NextStep"/>: one to read, one to predict); the branch's
    /// window starts where the LSTM's does. Scoring reads whole rows. Default 0, none. From 0 up to (not including) 1; not with <see cref="LstmObjective.Reconstruction"/>,
    /// whose head outputs every step of a whole row.
    /// </summary>
    /// <example>
    /// <code>
    /// var training = new LstmTrainingOptions { Objective = LstmObjective.Classification, LabelColumnName = "Label", AugmentSlice = 0.1f }; // rows of 64 steps train on windows of 58
    /// </code>
    /// </example>
    public float AugmentSlice { get; set; }

    /// <summary>Clip the gradient's global norm to this before each step; null for no clipping. Default 1.</summary>
    public float? GradientClipNorm { get; set; } = LstmDefaults.GradientClipNorm;

    /// <summary>Shuffle the training rows every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seed of the initial weights, the validation split, the shuffling and dropout. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Share of the rows held out (stratified by class for classification: each class's share,
    /// rounded; where every class is too small for that to reach one row, one row from each of the
    /// largest classes up to the share overall) to measure validation
    /// loss, keep the best epoch and stop early. Default null: 0.1 from
    /// <see cref="LstmDefaults.ValidationMinRows"/> rows up, none below, where a tenth of the rows
    /// is too few to choose by and too many to lose.
    /// </summary>
    public double? ValidationFraction { get; set; }

    /// <summary>
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// best epoch's weights; null to run every epoch. Default 10.
    /// </summary>
    public int? EarlyStoppingPatience { get; set; } = LstmDefaults.EarlyStoppingPatience;

    /// <summary>
    /// Start from this model instead of random weights (fine-tuning, e.g. a PyTorch export).
    /// Its architecture wins over <see cref="HiddenSize"/>, <see cref="NumLayers"/> and
    /// <see cref="Bidirectional"/>; its head is kept when it is one Gemm whose size fits the objective,
    /// else replaced. A model holding what <see cref="LstmModel.GetWeights"/> cannot carry (an LSTM's
    /// clip, activations, input_forget or peephole P; a kept Gemm's alpha, beta or transA) is
    /// refused at Fit with <see cref="NotSupportedException"/>, since fine-tuning would drop it.
    /// </summary>
    public LstmModel? InitialModel { get; set; }

    /// <summary>
    /// Stops training (with <see cref="OperationCanceledException"/>) between two batches once
    /// cancelled, e.g. from a Ctrl-C handler. ML.NET's own cancellation (what AutoML uses) is honoured too.
    /// The estimator keeps the token it was built with, and a cancelled token stays cancelled, so
    /// every later Fit of that estimator throws at once: build a new estimator, with a new token, to train again.
    /// </summary>
    /// <example>
    /// <code>
    /// using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(10));
    /// var estimator = mlContext.Transforms.LstmFeaturizeSequence(new LstmTrainingOptions { CancellationToken = cancellation.Token });
    /// </code>
    /// </example>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Receives one report per epoch: epoch, loss, validation loss, elapsed time. The handler must
    /// not throw: <see cref="Progress{T}"/> runs it on the thread pool, where an exception ends the
    /// process (that is .NET's <c>Progress&lt;T&gt;</c>); an <see cref="IProgress{T}"/> of your own
    /// runs on the training thread, and its exception leaves Fit as it is.
    /// </summary>
    public IProgress<LstmTrainingProgress>? Progress { get; set; }

    /// <summary>Where training times its phases (the benchmark's profile); null, as outside the benchmark, times nothing.</summary>
    internal TrainingProfile? Profile { get; set; }

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

    /// <summary>The members to train: the option, else the default for the objective (1 for one that trains no ensembles, and for fine-tuning).</summary>
    internal int Members => EnsembleSize
        ?? (!TrainingObjective.For(Objective).TrainsEnsembles || InitialModel is not null || HiddenSize % LstmDefaults.EnsembleSize != 0
            || HiddenSize / LstmDefaults.EnsembleSize < LstmDefaults.MinMemberHiddenSize ? 1 : LstmDefaults.EnsembleSize);

    /// <summary>
    /// A checked copy: the estimator keeps it, so setting a property after the estimator was
    /// built does not change what <c>Fit</c> does (as with <see cref="LstmFeaturizerOptions"/>).
    /// </summary>
    internal LstmTrainingOptions Validated()
    {
        var objective = TrainingObjective.For(Objective);
        if (Epochs is int epochs && epochs < 1) throw LstmThrow.EpochsInvalid(epochs);
        if (BatchSize < 1) throw LstmThrow.BatchSizeInvalid(BatchSize);
        if (EnsembleSize is int members && members < 1) throw LstmThrow.EnsembleSizeInvalid(members);
        if (EnsembleSize is int split && HiddenSize % split != 0) throw LstmThrow.EnsembleSizeNotADivisor(HiddenSize, split);
        if (EnsembleSize > 1 && InitialModel is not null) throw LstmThrow.EnsembleSizeWithInitialModel(EnsembleSize.Value);
        if (HiddenSize < 1) throw LstmThrow.HiddenSizeInvalid(HiddenSize);
        if (HiddenSize > LstmDefaults.MaxHiddenSize) throw LstmThrow.HiddenSizeTooLarge(HiddenSize);
        if (NumLayers < 1) throw LstmThrow.NumLayersInvalid(NumLayers);
        if (InputSize is int inputSize && inputSize < 1) throw LstmThrow.InputSizeInvalid(inputSize);
        if (!(LearningRate > 0)) throw LstmThrow.LearningRateNotPositive(LearningRate);
        if (!float.IsFinite(LearningRate)) throw LstmThrow.LearningRateNotFinite(LearningRate);
        if (!float.IsFinite(ForgetGateBias)) throw LstmThrow.ForgetGateBiasNotFinite(ForgetGateBias);
        if (GradientClipNorm is float clip && !(clip > 0)) throw LstmThrow.GradientClipNormInvalid(clip);
        if (ValidationFraction is double fraction && !(fraction >= 0 && fraction < 1)) throw LstmThrow.ValidationFractionInvalid(fraction);
        if (!(WeightDecay >= 0 && float.IsFinite(WeightDecay))) throw LstmThrow.WeightDecayInvalid(WeightDecay);
        if (!(Dropout >= 0 && Dropout < 1)) throw LstmThrow.DropoutInvalid(Dropout);
        if (!(AugmentJitter >= 0 && float.IsFinite(AugmentJitter))) throw LstmThrow.AugmentationInvalid(nameof(AugmentJitter), AugmentJitter);
        if (!(AugmentScaling >= 0 && float.IsFinite(AugmentScaling))) throw LstmThrow.AugmentationInvalid(nameof(AugmentScaling), AugmentScaling);
        if (!(AugmentSlice >= 0 && AugmentSlice < 1)) throw LstmThrow.AugmentSliceInvalid(AugmentSlice);
        if (AugmentSlice > 0 && Objective == LstmObjective.Reconstruction) throw LstmThrow.AugmentSliceReconstruction(AugmentSlice);
        if (MaxSteps is int maxSteps && maxSteps < 1) throw LstmThrow.MaxStepsInvalid(maxSteps);
        if (ConvMaxSteps is int convMaxSteps && convMaxSteps < 1) throw LstmThrow.ConvMaxStepsInvalid(convMaxSteps);
        if (!Enum.IsDefined(LearningRateSchedule)) throw LstmThrow.LearningRateScheduleUndefined(LearningRateSchedule);
        if (!Enum.IsDefined(HeadInput)) throw LstmThrow.HeadInputUndefined(HeadInput);
        if (EarlyStoppingPatience is int patience && patience < 1) throw LstmThrow.EarlyStoppingPatienceInvalid(patience);
        if (ConvChannels is not null || ConvKernelSizes is not null) ValidateConv(objective);
        if (KernelFeatures is int kernelFeatures && kernelFeatures != 0 && kernelFeatures is < LstmDefaults.KernelCount or > LstmDefaults.MaxKernelFeatures) throw LstmThrow.KernelFeaturesInvalid(kernelFeatures);
        if (KernelFeatures > 0 && !objective.TrainsConvBranch) throw LstmThrow.ObjectiveRefusesKernelFeatures(Objective);
        if (StandardizeFeatures == true && !objective.TrainsConvBranch) throw LstmThrow.ObjectiveRefusesStandardizeFeatures(Objective);
        if (FeatureDeviation is double deviation && !(deviation >= LstmDefaults.SmallestFeatureDeviation && deviation <= LstmDefaults.LargestFeatureDeviation)) throw LstmThrow.FeatureDeviationInvalid(deviation);
        if (FeatureDeviation is not null && !objective.TrainsConvBranch) throw LstmThrow.ObjectiveRefusesFeatureDeviation(Objective);
        if (FeatureDeviation is not null && StandardizeFeatures == false) throw LstmThrow.FeatureDeviationWithoutStandardization();
        if (InitialModel?.Graph.ConvLayers is { Count: > 0 } pretrainedConv && !objective.TrainsConvBranch) throw LstmThrow.InitialModelConvForObjective(Objective, pretrainedConv.Count);
        objective.Validate(this, InitialModel?.Bidirectional ?? Bidirectional);
        // Every property but the two arrays is a value, an immutable model, a token or the caller's progress sink or profile.
        var copy = (LstmTrainingOptions)MemberwiseClone();
        copy.ConvChannels = (int[]?)ConvChannels?.Clone();
        copy.ConvKernelSizes = (int[]?)ConvKernelSizes?.Clone();
        return copy;
    }

    private void ValidateConv(TrainingObjective objective)
    {
        if (!objective.TrainsConvBranch && (ConvChannels is { Length: > 0 } || ConvKernelSizes is { Length: > 0 }))
        {
            throw LstmThrow.ObjectiveRefusesConv(Objective, ConvChannels is { Length: > 0 } ? nameof(ConvChannels) : nameof(ConvKernelSizes));
        }
        var channels = ConvChannels ?? LstmDefaults.ConvChannels;
        if (ConvKernelSizes is { } kernels && kernels.Length != channels.Length) throw LstmThrow.ConvKernelSizesCount(channels.Length, kernels.Length);
        for (int i = 0; i < channels.Length; i++)
        {
            if (channels[i] < 1 || channels[i] > LstmDefaults.MaxHiddenSize) throw LstmThrow.ConvChannelsInvalid(i, channels[i]);
            if (ConvKernelSizes?[i] is int kernel && (kernel < 1 || kernel > LstmDefaults.MaxConvKernelSize)) throw LstmThrow.ConvKernelSizeInvalid(i, kernel);
        }
    }

    /// <summary>
    /// These options for a featurizer that gives <paramref name="representation"/>: the kernel features and
    /// the standardization only serve LastMeanMax, so another representation leaves their defaults off
    /// and refuses them turned on.
    /// </summary>
    internal LstmTrainingOptions For(LstmRepresentation representation)
    {
        if (representation == LstmRepresentation.LastMeanMax)
        {
            return this;
        }
        if (KernelFeatures > 0) throw LstmThrow.RepresentationRefusesFeatureOption(nameof(KernelFeatures), representation);
        if (StandardizeFeatures == true) throw LstmThrow.RepresentationRefusesFeatureOption(nameof(StandardizeFeatures), representation);
        if (FeatureDeviation is not null) throw LstmThrow.RepresentationRefusesFeatureOption(nameof(FeatureDeviation), representation);
        var copy = Validated();
        copy.KernelFeatures = 0;
        copy.StandardizeFeatures = false;
        return copy;
    }

    /// <summary>Whether training standardizes the features: the option's, else the objective's default.</summary>
    internal bool StandardizesFeatures(TrainingObjective objective) => StandardizeFeatures ?? (objective.TrainsConvBranch && LstmDefaults.StandardizeFeatures);

    /// <summary>The kernel features training gives the model: the option's, else the objective's default, rounded down to whole kernels.</summary>
    internal int KernelFeaturesFor(TrainingObjective objective) =>
        (KernelFeatures ?? (objective.TrainsConvBranch ? LstmDefaults.KernelFeatures : 0)) / LstmDefaults.KernelCount * LstmDefaults.KernelCount;

    /// <summary>
    /// The convolutional layers training gives the model: a pretrained model's own, else the options',
    /// else the objective's default, each default kernel shortened to <paramref name="medianSteps"/>
    /// (as the pooling stride follows the median length, so one short row changes neither); a kernel
    /// longer than that is refused. Rows shorter than a kernel are read with zero padding, as
    /// PyTorch's padding='same' reads them.
    /// </summary>
    internal (int[] Channels, int[] KernelSizes) ConvLayersFor(TrainingObjective objective, int medianSteps, LstmWeights? pretrained)
    {
        if (pretrained is not null)
        {
            for (int i = 0; i < pretrained.ConvLayerCount; i++)
            {
                int kernel = pretrained.GetConvLayer(i).KernelSize;
                if (kernel > medianSteps) throw LstmThrow.InitialModelConvKernelLongerThanSequence(i, kernel, medianSteps);
            }
            return ([.. pretrained.ConvChannels], [.. pretrained.ConvKernelSizes]);
        }
        var channels = ConvChannels ?? (objective.TrainsConvBranch ? LstmDefaults.ConvChannels : []);
        if (channels.Length == 0)
        {
            return ([], []);
        }
        var defaults = LstmDefaults.ConvKernelSizes;
        var kernels = ConvKernelSizes ?? [.. Enumerable.Range(0, channels.Length).Select(i => Math.Min(i < defaults.Length ? defaults[i] : defaults[^1], medianSteps))];
        for (int i = 0; i < kernels.Length; i++)
        {
            if (kernels[i] > medianSteps) throw LstmThrow.ConvKernelLongerThanSequence(i, kernels[i], medianSteps);
        }
        return ((int[])channels.Clone(), (int[])kernels.Clone());
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

using MLNet.Lstm.Data;
using MLNet.Lstm.MLNetInternals;
using MLNet.Lstm.Training.Objectives;
using Microsoft.ML.Runtime;
using Microsoft.ML;
using System.Diagnostics;
using static System.FormattableString;

namespace MLNet.Lstm.Training;

/// <summary>
/// Trains an LSTM on the rows of an IDataView: input standardization and pooling learned from
/// the rows, epochs of shuffled mini-batches, AdamW with a learning-rate schedule, optional
/// clipping, a held-out (stratified) validation share with early stopping (the best epoch's
/// weights win), one log line and one progress report per epoch, and ML.NET's cancellation
/// between batches.
/// </summary>
internal static class LstmTrainer
{
    /// <param name="env">ML.NET's host: its log channel and cancellation.</param>
    /// <param name="data">The training rows.</param>
    /// <param name="training">Checked options.</param>
    /// <param name="input">The sequence columns, bound for reading.</param>
    /// <param name="pretrained">The <see cref="LstmTrainingOptions.InitialModel"/>'s weights; null to start from random ones.</param>
    /// <returns>The trained weights (the best epoch's, with early stopping), the ensemble's heads averaged.</returns>
    public static LstmWeights Train(IHostEnvironment env, IDataView data, LstmTrainingOptions training, SequenceInputBinding input, PretrainedWeights? pretrained)
    {
        var objective = TrainingObjective.For(training.Objective);
        var set = TrainingSet.Read(data, input, objective, training.LabelColumnName);
        int members = training.Members;
        var lstm = pretrained?.Lstm();
        int stride = lstm?.PoolingStride ?? InitialWeights.PoolingStride(training.MaxSteps, set);
        int convStride = lstm?.ConvPoolingStride ?? (training.ConvMaxSteps is null ? stride : InitialWeights.PoolingStride(training.ConvMaxSteps, set));
        set.OutputSize = objective.OutputSize(set.LabelType, set.InputSize, set.PooledSteps(stride));
        var (convChannels, convKernels) = training.ConvLayersFor(objective, set.MedianPooledSteps(convStride), lstm);
        bool convHalves = lstm?.ConvHalves ?? training.ConvHalves ?? LstmDefaults.ConvHalves;
        RequireHeadFits(objective, input, set.OutputSize * (long)members, lstm?.HiddenSize ?? training.HiddenSize, lstm?.Bidirectional ?? training.Bidirectional,
            convChannels.Length == 0 ? 0 : convChannels[^1] * (convHalves ? 3L : 1L));
        RequireConvBatchFits(set, convStride, training.BatchSize, convChannels, convKernels);
        var weights = lstm is null
            ? InitialWeights.Fresh(training, objective, set, members, stride, convStride, convHalves, convChannels, convKernels)
            : InitialWeights.FineTuned(lstm, pretrained?.WithHead(set.OutputSize), training, objective, set);
        var ensemble = new EnsembleLayout(weights, members);
        ensemble.Mask(weights);
        int kernelFeatures = training.KernelFeaturesFor(objective);
        var kernels = kernelFeatures > 0 ? KernelBankFit.Fit(set.Count, set.MinSteps(), row => set.ScaledCopy(row, weights), set.InputSize, kernelFeatures) : null;
        set.Preprocess(weights);
        var (trainRows, validationRows) = Split(set, training);
        if (trainRows.Length < LstmDefaults.MinTrainingRows)
        {
            throw validationRows.Length == 0
                ? LstmThrow.TooFewRows(set.Count)
                : LstmThrow.TooFewTrainingRows(set.Count, validationRows.Length, training.ValidationFraction ?? LstmDefaults.ValidationFraction);
        }
        int epochs = training.Epochs ?? LstmDefaults.Epochs(trainRows.Length, training.BatchSize);
        long plannedSteps = (long)epochs * set.Batches(trainRows, training.BatchSize).Count();
        using var step = new ShardedStep(weights, objective, training.Dropout, training.Seed, members, training.Profile,
            new BatchAugmentation(training.AugmentJitter, training.AugmentScaling, training.AugmentSlice, objective.MinimumSteps));
        var optimizer = new AdamOptimizer(weights, training.LearningRate, training.WeightDecay);
        var shuffle = new Random(training.Seed);

        using var channel = new TrainingChannel(env);
        channel.Info(Invariant($"LSTM training: {training.Objective}, {trainRows.Length} training and {validationRows.Length} validation sequences, ") +
            Invariant($"{members} member(s) of {weights.NumLayers} layer(s) of {weights.HiddenSize / members}{(weights.Bidirectional ? " × 2 directions" : "")}, ") +
            (kernels is null ? "" : Invariant($"{kernels.Sum(b => b.FeatureSize)} kernel features at {kernels.Length / 2} dilation(s), ")) +
            (weights.ConvLayerCount > 0 ? Invariant($"conv branch {string.Join("-", weights.ConvChannels)} channels of kernels {string.Join("-", weights.ConvKernelSizes)}, ") : "") + Invariant($"output {set.OutputSize}, ") +
            Invariant($"{epochs} epochs, steps pooled by {weights.PoolingStride}") +
            (weights.ConvLayerCount > 0 && weights.ConvPoolingStride != weights.PoolingStride ? Invariant($" (by {weights.ConvPoolingStride} for the conv branch)") : ""));
        WarnOfValidationShortfall(channel, set, training, validationRows.Length);
        var clock = Stopwatch.StartNew();
        double best = double.PositiveInfinity;
        LstmWeights? bestWeights = null;
        int sinceBest = 0;
        long stepsTaken = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            if (training.Shuffle)
            {
                shuffle.Shuffle(trainRows);
            }
            double lossSum = 0;
            int seen = 0, batch = 0;
            foreach (var rows in set.Batches(trainRows, training.BatchSize))
            {
                training.CancellationToken.ThrowIfCancellationRequested();
                channel.ThrowIfCancelled();
                batch++;
                double batchLoss = step.LossAndGradients(set, rows);
                DivergenceCheck.Loss(batchLoss, step.Gradients, epoch, batch, training.LearningRate);
                lossSum += batchLoss * rows.Length;
                seen += rows.Length;
                long optimizing = training.Profile?.Start() ?? 0;
                ensemble.Mask(step.Gradients);
                optimizer.LearningRate = LearningRate(training, stepsTaken++, plannedSteps);
                optimizer.Step(step.Gradients, training.GradientClipNorm);
                DivergenceCheck.Parameters(weights, epoch, batch, training.LearningRate);
                training.Profile?.Stop(TrainingProfile.Phase.OptimizerStep, optimizing);
                step.ParametersChanged();
            }
            double loss = lossSum / seen;
            double? validation = validationRows.Length > 0 ? step.MeanLoss(set, validationRows, training.BatchSize) : null;
            var progress = new LstmTrainingProgress(epoch, loss, validation, clock.Elapsed);
            channel.Info(Invariant($"LSTM training epoch {epoch}/{epochs}: loss {loss:G6}") +
                (validation is double v ? Invariant($", validation loss {v:G6}") : "") + Invariant($", {clock.Elapsed.TotalSeconds:F1} s"));
            training.Progress?.Report(progress);

            if (validation is double current && training.EarlyStoppingPatience is int patience)
            {
                if (current < best)
                {
                    best = current;
                    bestWeights = new LstmWeights(weights);
                    sinceBest = 0;
                }
                else if (++sinceBest >= patience)
                {
                    channel.Info(Invariant($"LSTM training: early stop after epoch {epoch}; keeping epoch {epoch - sinceBest} (validation loss {best:G6})"));
                    break;
                }
            }
        }
        var trained = ensemble.Averaged(bestWeights ?? weights);
        return kernels is null ? trained : new LstmWeights(trained) { KernelBanks = kernels };
    }

    /// <summary>
    /// Refuses, in the objective's and the column's terms, a head that LstmWeights would refuse as
    /// outputSize: its weight is sized for the widest head input (LastMeanMax, 3·D·H values a row, and the convolutional branch's).
    /// </summary>
    private static void RequireHeadFits(TrainingObjective objective, SequenceInputBinding input, long outputs, int hiddenSize, bool bidirectional, long convFeatures)
    {
        long widest = 3L * (bidirectional ? 2 : 1) * hiddenSize + convFeatures;
        if (outputs * widest > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.HeadTooLarge(objective.Kind, string.Join("', '", input.ColumnNames), outputs, hiddenSize, bidirectional, LstmDefaults.MaxTensorElements / widest);
        }
    }

    /// <summary>
    /// Refuses a branch whose buffers for one batch (rows × steps × the widest window or channel
    /// count) would not fit one .NET array, before training starts rather than in its first batch.
    /// </summary>
    private static void RequireConvBatchFits(TrainingSet set, int stride, int batchSize, int[] channels, int[] kernels)
    {
        if (channels.Length == 0)
        {
            return;
        }
        long widest = 0;
        for (int i = 0; i < channels.Length; i++)
        {
            widest = Math.Max(widest, Math.Max((long)kernels[i] * (i == 0 ? set.InputSize : channels[i - 1]), channels[i]));
        }
        int steps = set.LongestPooledSteps(stride);
        long values = (long)Math.Min(batchSize, set.Count) * steps * widest;
        if (values > LstmDefaults.MaxTensorElements)
        {
            throw LstmThrow.ConvBatchTooLarge(batchSize, steps, widest, values);
        }
    }

    /// <summary>The rate for step <paramref name="step"/> (from 0) of <paramref name="plannedSteps"/>.</summary>
    private static float LearningRate(LstmTrainingOptions training, long step, long plannedSteps) => training.LearningRateSchedule switch
    {
        LstmLearningRateSchedule.Cosine => (float)(training.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / plannedSteps))),
        _ => training.LearningRate,
    };

    /// <summary>
    /// The validation rows: <see cref="LstmTrainingOptions.ValidationFraction"/> of them (by default
    /// a tenth from <see cref="LstmDefaults.ValidationMinRows"/> rows up), drawn per class for
    /// classification so that every class keeps its share on both sides.
    /// </summary>
    private static (int[] Train, int[] Validation) Split(TrainingSet set, LstmTrainingOptions training)
    {
        int count = set.Count;
        double fraction = ValidationShare(set, training);
        var random = new Random(training.Seed);
        var groups = set.Classes.Count == count
            ? Enumerable.Range(0, count).GroupBy(row => set.Classes[row]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToList()
            : [Enumerable.Range(0, count).ToArray()];
        var train = new List<int>(count);
        var validation = new List<int>();
        foreach (var rows in groups)
        {
            int held = (int)Math.Round(rows.Length * fraction);
            if (held > 0)
            {
                random.Shuffle(rows);
            }
            validation.AddRange(rows[..held]);
            train.AddRange(rows[held..]);
        }
        if (validation.Count == 0 && groups.Count > 1)
        {
            HoldOneFromLargestClasses(groups, (int)Math.Round(count * fraction), random, train, validation);
        }
        train.Sort();
        return ([.. train], [.. validation]);
    }

    /// <summary>The share of rows held out: <see cref="LstmTrainingOptions.ValidationFraction"/>, by default a tenth from <see cref="LstmDefaults.ValidationMinRows"/> rows up.</summary>
    private static double ValidationShare(TrainingSet set, LstmTrainingOptions training) =>
        training.ValidationFraction ?? (set.Count >= LstmDefaults.ValidationMinRows ? LstmDefaults.ValidationFraction : 0);

    /// <summary>
    /// Says so when classes too small to give up a row (a class keeps at least one training row)
    /// hold out less than half of the validation share asked for, rather than leaving it to the counts.
    /// </summary>
    private static void WarnOfValidationShortfall(TrainingChannel channel, TrainingSet set, LstmTrainingOptions training, int held)
    {
        double fraction = ValidationShare(set, training);
        int asked = (int)Math.Round(set.Count * fraction);
        if (held < asked / 2.0)
        {
            channel.Warning(LstmThrow.ValidationShortfall(fraction, asked, set.Count, held));
        }
    }

    /// <summary>
    /// Where every class is too small for its share to round to one row (1,000 classes of 2 rows),
    /// per-class rounding would hold out nothing and silently turn validation off; the promised
    /// share is then held overall, one row from each of the largest classes (first classes first on a tie).
    /// </summary>
    private static void HoldOneFromLargestClasses(List<int[]> groups, int share, Random random, List<int> train, List<int> validation)
    {
        var largest = Enumerable.Range(0, groups.Count).Where(g => groups[g].Length > 1).OrderByDescending(g => groups[g].Length).ThenBy(g => g).Take(share).ToHashSet();
        if (largest.Count == 0)
        {
            return;
        }
        train.Clear();
        for (int g = 0; g < groups.Count; g++)
        {
            var rows = groups[g];
            if (largest.Contains(g))
            {
                random.Shuffle(rows);
                validation.Add(rows[0]);
                train.AddRange(rows[1..]);
            }
            else
            {
                train.AddRange(rows);
            }
        }
    }
}
